// Owns the words of a group's system notices ("alice added bob", "carol left"), as the timeline's centred line and
// the conversation list's preview show them, built from the notice's kind and names; "you" for the signed-in account.
import type { NoticeContent } from '../../../shared/model'
import { formatFullTimestamp } from './time-format'
import { tr } from '../i18n/translate'

function who(user: string, me: string | null): string {
  return user && user === me ? tr('notices.you') : user || tr('notices.someone')
}

function list(users: string[], me: string | null): string {
  const names = users.map((user) => who(user, me))
  if (names.length <= 1) return names[0] ?? tr('notices.someone')
  return tr('notices.list', { rest: names.slice(0, -1).join(tr('notices.listSeparator')), last: names[names.length - 1] })
}

/** English "you …" and "someone …" start with a capital; a username is shown exactly as it is. */
function capitalised(sentence: string): string {
  return /^(you|someone)\b/.test(sentence) ? sentence.charAt(0).toUpperCase() + sentence.slice(1) : sentence
}

/** The group fields an infoChanged notice names (the server sends them as "name,description,settings"). */
const INFO_FIELDS = new Set(['name', 'description', 'settings'])

function changedFields(text: string): string {
  const fields = text.split(',').map((field) => field.trim()).filter((field) => INFO_FIELDS.has(field))
  if (fields.length === 0) return tr('notices.field.details')
  const words = fields.map((field) => tr(`notices.field.${field}`))
  if (words.length === 1) return words[0]!
  return tr('notices.list', { rest: words.slice(0, -1).join(tr('notices.listSeparator')), last: words[words.length - 1] })
}

/** One sentence for a notice, e.g. "Alice added bob and carol". */
export function noticeSentence(notice: NoticeContent, me: string | null): string {
  const actor = who(notice.actor, me)
  const users = list(notice.users, me)
  const say = (key: string, extra: Record<string, string> = {}): string => capitalised(tr(`notices.${key}`, { actor, users, ...extra }))
  switch (notice.kind) {
    case 'created':
    case 'left':
    case 'mutedAll':
    case 'unmutedAll':
    case 'pinned':
    case 'unpinned':
    case 'dissolved':
    case 'added':
    case 'removed':
    case 'banned':
    case 'unbanned':
    case 'unmuted':
    case 'adminAdded':
    case 'adminRemoved':
    case 'ownerChanged':
      return say(notice.kind)
    case 'joined':
      return say('joined', { users: notice.users.length > 0 ? users : actor })
    case 'muted':
      return notice.until > 0 ? say('mutedUntil', { until: formatFullTimestamp(notice.until) }) : say('muted')
    case 'infoChanged':
      return say('infoChanged', { what: changedFields(notice.text) })
    case 'announcement':
      return notice.text ? say('announcement', { text: notice.text }) : say('announcementCleared')
    default:
      return tr('notices.changed')
  }
}
