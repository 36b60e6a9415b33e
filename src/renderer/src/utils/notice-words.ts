// Owns the words of a group's system notices ("alice added bob", "carol left"), as the timeline's centred line and
// the conversation list's preview show them, built from the notice's kind and people; "you" for the signed-in
// account, everyone else by `nameOf` at the time the words are made (the caller's reactive display name).
import type { NoticeContent } from '../../../shared/model'
import { formatFullTimestamp } from './time-format'
import { tr } from '../i18n/translate'
import { idAsName, type NameOf } from './name-of'

function who(user: string, me: string | null, nameOf: NameOf): string {
  return user && user === me ? tr('notices.you') : user ? nameOf(user) : tr('notices.someone')
}

function list(users: string[], me: string | null, nameOf: NameOf): string {
  const names = users.map((user) => who(user, me, nameOf))
  if (names.length <= 1) return names[0] ?? tr('notices.someone')
  return tr('notices.list', { rest: names.slice(0, -1).join(tr('notices.listSeparator')), last: names[names.length - 1] })
}

/**
 * English "you …" and "someone …" start with a capital; a person's name is shown exactly as it is (a nickname that
 * happens to begin with "you" stays as written).
 */
function capitalised(sentence: string, names: readonly string[]): string {
  const pronoun = /^(you|someone)\b/.exec(sentence)?.[1]
  if (!pronoun || names.some((name) => name.length >= pronoun.length && sentence.startsWith(name))) return sentence
  return sentence.charAt(0).toUpperCase() + sentence.slice(1)
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

/** One sentence for a notice, e.g. "You added Ben Smith and carol" (`nameOf` names everyone but me). */
export function noticeSentence(notice: NoticeContent, me: string | null, nameOf: NameOf = idAsName): string {
  const actor = who(notice.actor, me, nameOf)
  const users = list(notice.users, me, nameOf)
  const named = [notice.actor, ...notice.users].filter((user) => user && user !== me).map(nameOf)
  const say = (key: string, extra: Record<string, string> = {}): string => capitalised(tr(`notices.${key}`, { actor, users, ...extra }), named)
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
