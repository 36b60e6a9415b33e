// Owns the words of the typing indicator: "typing…" in a one-to-one chat; in a group "alice is typing…",
// "alice and bob are typing…", "3 people are typing…".

/** The sentence for who types in a conversation; null when nobody does. */
export function typingSentence(users: readonly string[], group: boolean): string | null {
  if (users.length === 0) return null
  if (!group) return 'typing…'
  if (users.length === 1) return `${users[0]} is typing…`
  if (users.length === 2) return `${users[0]} and ${users[1]} are typing…`
  return `${users.length} people are typing…`
}
