// Owns the words of a notification: the decision's codes and parameters (src/shared/notifications) turned into a
// title and a body in the current locale.
import { tr } from '../../i18n/translate'
import type { NotificationPayload, NotificationPreview } from '../../../../shared/notifications'

export interface NotificationWords {
  title: string
  body: string
}

function previewWords(preview: NotificationPreview): string {
  switch (preview.kind) {
    case 'text':
      return preview.text
    case 'file':
      return tr('notifications.preview.file', { name: preview.name })
    default:
      return tr(`notifications.preview.${preview.kind}`)
  }
}

/** Title and body for the payload; `nameOf` gives a user's shown name (a contact's remark) for an id. */
export function notificationWords(payload: NotificationPayload, nameOf: (user: string) => string = (user) => user): NotificationWords {
  if (payload.content === 'nothing') return { title: tr('notifications.appName'), body: tr('notifications.newMessage') }
  const sender = nameOf(payload.sender)
  const group = payload.chatType !== 'single'
  const title = group ? (payload.conversationTitle ?? payload.conversation.id) : (payload.conversationTitle ?? sender)
  if (!payload.preview) {
    if (payload.mention) return { title, body: tr(payload.mention === 'me' ? 'notifications.mentionedYou' : 'notifications.mentionedEveryone', { sender }) }
    return { title, body: group ? tr('notifications.newMessageFrom', { sender }) : tr('notifications.sentYouAMessage') }
  }
  const text = previewWords(payload.preview)
  const line = group ? tr('notifications.groupLine', { sender, text }) : text
  if (!payload.mention) return { title, body: line }
  const mention = tr(payload.mention === 'me' ? 'notifications.mentionMe' : 'notifications.mentionAll')
  return { title, body: tr('notifications.mentionLine', { mention, text: line }) }
}
