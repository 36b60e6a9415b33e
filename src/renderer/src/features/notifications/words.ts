// Owns the words of a notification: the decision's codes and parameters (src/shared/notifications) turned into a
// title and a body in the current locale.
import { i18n } from '../../i18n'
import type { NotificationPayload, NotificationPreview } from '../../../../shared/notifications'

export interface NotificationWords {
  title: string
  body: string
}

const t = (key: string, params?: Record<string, unknown>): string => (params ? i18n.global.t(key, params) : i18n.global.t(key))

function previewWords(preview: NotificationPreview): string {
  switch (preview.kind) {
    case 'text':
      return preview.text
    case 'file':
      return t('notifications.preview.file', { name: preview.name })
    default:
      return t(`notifications.preview.${preview.kind}`)
  }
}

/** Title and body for the payload; `nameOf` gives a user's shown name (a contact's remark) for an id. */
export function notificationWords(payload: NotificationPayload, nameOf: (user: string) => string = (user) => user): NotificationWords {
  if (payload.content === 'nothing') return { title: t('notifications.appName'), body: t('notifications.newMessage') }
  const sender = nameOf(payload.sender)
  const group = payload.chatType !== 'single'
  const title = group ? (payload.conversationTitle ?? payload.conversation.id) : (payload.conversationTitle ?? sender)
  if (!payload.preview) {
    if (payload.mention) return { title, body: t(payload.mention === 'me' ? 'notifications.mentionedYou' : 'notifications.mentionedEveryone', { sender }) }
    return { title, body: group ? t('notifications.newMessageFrom', { sender }) : t('notifications.sentYouAMessage') }
  }
  const text = previewWords(payload.preview)
  const line = group ? t('notifications.groupLine', { sender, text }) : text
  if (!payload.mention) return { title, body: line }
  const mention = t(payload.mention === 'me' ? 'notifications.mentionMe' : 'notifications.mentionAll')
  return { title, body: t('notifications.mentionLine', { mention, text: line }) }
}
