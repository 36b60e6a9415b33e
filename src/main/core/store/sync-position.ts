// Owns where sync stands on this device: the cursor (last applied log position, absent before the first sync)
// and the history gaps (per conversation, the seq below which local history may have a hole still to fetch).
import type { ConversationKey } from '../../../shared/model'
import { keyOf } from './conversation-updates'
import { HISTORY_GAP_PREFIX } from './statements'
import type { StoreContext } from './store-context'
import { checkKey, checkSafeInteger } from './validate'

/** The sync_state key of a conversation's history gap. */
export function historyGapKey(key: ConversationKey): string {
  return `${HISTORY_GAP_PREFIX}${keyOf(key.type, key.id)}`
}

export class SyncPosition {
  constructor(private readonly context: StoreContext) {}

  cursor(): number {
    return this.context.statements.getCursor.get()?.value ?? 0
  }

  hasStarted(): boolean {
    return this.context.statements.getCursor.get() !== undefined
  }

  historyGaps(): Array<{ key: ConversationKey; below: number }> {
    return this.context.statements.historyGaps.all().flatMap((row) => {
      const [type, ...rest] = row.key.slice(HISTORY_GAP_PREFIX.length).split(':')
      const id = rest.join(':')
      if ((type !== 'single' && type !== 'group' && type !== 'room') || !id) return []
      return [{ key: { type, id }, below: row.value }]
    })
  }

  setHistoryGap(key: ConversationKey, below: number | null): void {
    const { statements } = this.context
    const checked = checkKey(key)
    if (below === null) statements.clearHistoryGap.run(historyGapKey(checked))
    else statements.setHistoryGap.run(historyGapKey(checked), checkSafeInteger(below, 'history position'))
  }
}
