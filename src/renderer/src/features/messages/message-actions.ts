// The per-message action menu's item shape, and merging several features' items into one list for a bubble.
// Each feature (reply/forward/react/pin, recall/edit, ...) contributes items through its own composable.
import type { IconName } from '../../components/icons'

/** One entry of a message's action menu. `run` may be async; an error it throws is shown under the bubble. */
export interface MessageAction {
  /** Stable id, also the test hook (`data-action`), e.g. 'reply', 'recall'. */
  id: string
  /** What the menu shows and a screen reader says. */
  label: string
  /** An icon of the shared set, or a short glyph (an emoji) drawn before the label. */
  icon?: IconName | string
  /** A destructive item (recall, delete) is drawn in the danger colour. */
  danger?: boolean
  run: () => void | Promise<void>
}

/** Several features' lists as one, in the order given, the first item of an id winning (no duplicates). */
export function mergeMessageActions(...lists: ReadonlyArray<readonly MessageAction[]>): MessageAction[] {
  const seen = new Set<string>()
  const merged: MessageAction[] = []
  for (const list of lists) {
    for (const item of list) {
      if (seen.has(item.id)) continue
      seen.add(item.id)
      merged.push(item)
    }
  }
  return merged
}
