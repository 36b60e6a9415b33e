// Owns the emoji picker's data: emojibase-data's compact set in the user's language (Unicode's list with names and tags,
// updated with each Unicode release), loaded on first use as its own chunk, grouped as Unicode groups them, and searched.
import type { CompactEmoji } from 'emojibase'

export interface EmojiGroup {
  key: number
  /** The group's name, as a key of the messages locale namespace. */
  labelKey: string
  emojis: CompactEmoji[]
}

/** Unicode's groups in order (emojibase's group numbers); "components" (bare skin tones, hair) are not picked alone. */
const GROUP_LABELS: ReadonlyArray<readonly [number, string]> = [
  [0, 'messages.emoji.group.smileys'],
  [1, 'messages.emoji.group.people'],
  [3, 'messages.emoji.group.animals'],
  [4, 'messages.emoji.group.food'],
  [5, 'messages.emoji.group.travel'],
  [6, 'messages.emoji.group.activities'],
  [7, 'messages.emoji.group.objects'],
  [8, 'messages.emoji.group.symbols'],
  [9, 'messages.emoji.group.flags']
]

/** Each language's set, loaded once (names and search words in that language). */
const loaded = new Map<string, Promise<EmojiGroup[]>>()

/** The emoji in `locale`'s words: Simplified Chinese for 'zh-CN', English otherwise. */
export function loadEmojiGroups(locale = 'en'): Promise<EmojiGroup[]> {
  const language = /^zh\b/i.test(locale) ? 'zh' : 'en'
  let groups = loaded.get(language)
  if (!groups) {
    groups = (language === 'zh' ? import('emojibase-data/zh/compact.json') : import('emojibase-data/en/compact.json')).then(({ default: data }) =>
      groupEmojis(data)
    )
    groups.catch(() => loaded.delete(language))
    loaded.set(language, groups)
  }
  return groups
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
    return emojis.length > 0 ? [{ key, labelKey: label, emojis }] : []
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
