// Owns the words of the typing indicator: "typing…" in a one-to-one chat; in a group "alice is typing…",
// "alice and bob are typing…", "3 people are typing…".
import { tr } from '../../i18n/translate'

/** The sentence for who types in a conversation; null when nobody does. */
export function typingSentence(users: readonly string[], group: boolean): string | null {
  if (users.length === 0) return null
  if (!group) return tr('messages.typing.single')
  if (users.length === 1) return tr('messages.typing.one', { user: users[0] })
  if (users.length === 2) return tr('messages.typing.two', { first: users[0], second: users[1] })
  return tr('messages.typing.many', { count: users.length })
}
