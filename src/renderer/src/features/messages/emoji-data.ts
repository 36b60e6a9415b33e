// Owns the emoji picker's data: emojibase-data's English compact set (Unicode's list with names and tags, updated
// with each Unicode release), loaded on first use as its own chunk, grouped as Unicode groups them, and searched.
import type { CompactEmoji } from 'emojibase'

export interface EmojiGroup {
  key: number
  label: string
  emojis: CompactEmoji[]
}

/** Unicode's groups in order (emojibase's group numbers); "components" (bare skin tones, hair) are not picked alone. */
const GROUP_LABELS: ReadonlyArray<readonly [number, string]> = [
  [0, 'Smileys & emotion'],
  [1, 'People & body'],
  [3, 'Animals & nature'],
  [4, 'Food & drink'],
  [5, 'Travel & places'],
  [6, 'Activities'],
  [7, 'Objects'],
  [8, 'Symbols'],
  [9, 'Flags']
]

let loaded: Promise<EmojiGroup[]> | null = null

export function loadEmojiGroups(): Promise<EmojiGroup[]> {
  loaded ??= import('emojibase-data/en/compact.json').then(({ default: data }) => groupEmojis(data))
  loaded.catch(() => (loaded = null))
  return loaded
}

export function groupEmojis(data: readonly CompactEmoji[]): EmojiGroup[] {
  const byGroup = new Map<number, CompactEmoji[]>()
  for (const emoji of data) {
    if (emoji.group === undefined) continue
    const list = byGroup.get(emoji.group) ?? []
    list.push(emoji)
    byGroup.set(emoji.group, list)
  }
  return GROUP_LABELS.flatMap(([key, label]) => {
    const emojis = (byGroup.get(key) ?? []).sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
    return emojis.length > 0 ? [{ key, label, emojis }] : []
  })
}

/** Emojis whose name or a tag contains every word of the query (case-insensitive), in Unicode's order. */
export function searchEmojis(groups: readonly EmojiGroup[], query: string, limit: number): CompactEmoji[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return []
  const found: CompactEmoji[] = []
  for (const group of groups) {
    for (const emoji of group.emojis) {
      const haystack = `${emoji.label} ${(emoji.tags ?? []).join(' ')} ${(emoji.shortcodes ?? []).join(' ')}`.toLowerCase()
      if (words.every((word) => haystack.includes(word))) {
        found.push(emoji)
        if (found.length >= limit) return found
      }
    }
  }
  return found
}
