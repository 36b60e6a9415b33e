// The per-message action menu's item shape, and merging several features' items into one list for a bubble.
// Each feature (reply/forward/react/pin, recall/edit, ...) contributes items through its own composable.
import type { BaseMenuItem } from '../../components/menu-item'

/** One entry of a message's action menu (a BaseMenu item). `run` may be async; an error it throws is shown under the bubble. */
export type MessageAction = BaseMenuItem

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
