// Owns the words of the typing indicator: "typing…" in a one-to-one chat; in a group "alice is typing…",
// "alice and bob are typing…", "3 people are typing…".
import { tr } from '../../i18n/translate'
import { idAsName, type NameOf } from '../../utils/name-of'

/** The sentence for who types in a conversation, each named by `nameOf`; null when nobody does. */
export function typingSentence(users: readonly string[], group: boolean, nameOf: NameOf = idAsName): string | null {
  if (users.length === 0) return null
  if (!group) return tr('messages.typing.single')
  if (users.length === 1) return tr('messages.typing.one', { user: nameOf(users[0]!) })
  if (users.length === 2) return tr('messages.typing.two', { first: nameOf(users[0]!), second: nameOf(users[1]!) })
  return tr('messages.typing.many', { count: users.length })
}
