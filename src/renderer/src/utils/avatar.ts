// Avatar look derived from a username: the initial and a stable hue, so each person keeps one colour.
const HUE_STEPS = 360

export function avatarInitial(name: string): string {
  const first = [...name.trim()][0]
  return first ? first.toUpperCase() : '?'
}

export function avatarHue(name: string): number {
  let hash = 0
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0
  return hash % HUE_STEPS
}
