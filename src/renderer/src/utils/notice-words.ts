// Owns the words of a group's system notices ("alice added bob", "carol left"), as the timeline's centred line and
// the conversation list's preview show them; "you" for the signed-in account.
import type { NoticeContent } from '../../../shared/model'

function who(user: string, me: string | null): string {
  return user && user === me ? 'you' : user || 'someone'
}

function list(users: string[], me: string | null): string {
  const names = users.map((user) => who(user, me))
  if (names.length <= 1) return names[0] ?? 'someone'
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`
}

/** "you …" and "someone …" start with a capital; a username is shown exactly as it is. */
function capitalised(sentence: string): string {
  return /^(you|someone)\b/.test(sentence) ? sentence.charAt(0).toUpperCase() + sentence.slice(1) : sentence
}

function untilWords(until: number): string {
  return until > 0 ? ` until ${new Date(until).toLocaleString()}` : ''
}

/** One sentence for a notice, e.g. "Alice added bob and carol". */
export function noticeSentence(notice: NoticeContent, me: string | null): string {
  const actor = who(notice.actor, me)
  const users = list(notice.users, me)
  switch (notice.kind) {
    case 'created':
      return capitalised(`${actor} created the group`)
    case 'joined':
      return capitalised(`${notice.users.length > 0 ? users : actor} joined the group`)
    case 'added':
      return capitalised(`${actor} added ${users}`)
    case 'left':
      return capitalised(`${actor} left the group`)
    case 'removed':
      return capitalised(`${actor} removed ${users}`)
    case 'banned':
      return capitalised(`${actor} banned ${users}`)
    case 'unbanned':
      return capitalised(`${actor} lifted the ban on ${users}`)
    case 'muted':
      return capitalised(`${actor} muted ${users}${untilWords(notice.until)}`)
    case 'unmuted':
      return capitalised(`${actor} unmuted ${users}`)
    case 'mutedAll':
      return capitalised(`${actor} muted everyone but the owner and admins`)
    case 'unmutedAll':
      return capitalised(`${actor} let everyone write again`)
    case 'adminAdded':
      return capitalised(`${actor} made ${users} an admin`)
    case 'adminRemoved':
      return capitalised(`${actor} removed ${users} as admin`)
    case 'ownerChanged':
      return capitalised(`${actor} made ${users} the owner`)
    case 'infoChanged':
      return capitalised(`${actor} changed the group's ${notice.text || 'details'}`)
    case 'announcement':
      return notice.text ? capitalised(`${actor} set the announcement: ${notice.text}`) : capitalised(`${actor} cleared the announcement`)
    case 'pinned':
      return capitalised(`${actor} pinned a message`)
    case 'unpinned':
      return capitalised(`${actor} unpinned a message`)
    case 'dissolved':
      return capitalised(`${actor} dissolved the group`)
    default:
      return 'The group changed'
  }
}
