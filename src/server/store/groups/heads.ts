// Owns the group heads (the newest seq of each group's log): read from the database once, cached by the writer like
// the user heads, with the seqs handed out in the open transaction kept apart until it commits (dropped on rollback).
import type { GroupStatements } from './statements'

export interface GroupHeads {
  /** The newest seq of the group's log, counting the ones handed out in the open transaction. */
  headOf(group: string): number
  /** Records `seq` as the group's head in the open transaction. */
  handOut(group: string, seq: number): void
  /** The open transaction committed: its heads become the committed ones. */
  committed(): void
  /** The open transaction rolled back: its heads are forgotten. */
  rolledBack(): void
}

export function createGroupHeads(sql: Pick<GroupStatements, 'selectGroupHead'>, options: { cache: boolean }): GroupHeads {
  /** Committed heads; `pendingHeads` holds the ones handed out in the open transaction (dropped on rollback). */
  const committedHeads = new Map<string, number>()
  const pendingHeads = new Map<string, number>()
  return {
    headOf(group) {
      const pending = pendingHeads.get(group)
      if (pending !== undefined) return pending
      const cached = committedHeads.get(group)
      if (cached !== undefined) return cached
      const head = sql.selectGroupHead.get(group)?.head ?? 0
      if (!options.cache) return head
      committedHeads.set(group, head)
      return head
    },
    handOut(group, seq) {
      pendingHeads.set(group, seq)
    },
    committed() {
      if (options.cache) for (const [group, head] of pendingHeads) committedHeads.set(group, head)
      pendingHeads.clear()
    },
    rolledBack() {
      pendingHeads.clear()
    }
  }
}
