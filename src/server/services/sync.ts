// Owns reading a user's log: catch-up batches after a cursor (sync) and per-conversation pages (history).
// Limits are clamped here so no request can ask for an unbounded read.
import type { parley } from '../../shared/proto/gen/parley.js'
import {
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  SYNC_DEFAULT_LIMIT,
  SYNC_MAX_LIMIT
} from '../config'
import type { ServerStore } from '../store/types'
import { entryToEvent } from './events'

export type SyncBatchProps = parley.v1.SyncBatch.$Properties
export type HistoryPageProps = parley.v1.HistoryPage.$Properties

function clampLimit(requested: number | null | undefined, fallback: number, max: number): number {
  if (!requested || requested <= 0) return fallback
  return Math.min(requested, max)
}

export interface SyncService {
  headSeq(user: string): Promise<number>
  sync(user: string, afterSeq: number, limit: number | null | undefined): Promise<SyncBatchProps>
  history(user: string, conversation: string, beforeSeq: number, limit: number | null | undefined): Promise<HistoryPageProps>
}

export function createSyncService(store: ServerStore): SyncService {
  const headSeq = async (user: string): Promise<number> => (await store.getUser(user))?.headSeq ?? 0

  return {
    headSeq,
    async sync(user, afterSeq, limit) {
      const cap = clampLimit(limit, SYNC_DEFAULT_LIMIT, SYNC_MAX_LIMIT)
      const entries = await store.readLogAfter(user, Math.max(0, afterSeq), cap + 1)
      const hasMore = entries.length > cap
      const page = hasMore ? entries.slice(0, cap) : entries
      return { events: page.map(entryToEvent), hasMore, headSeq: await headSeq(user) }
    },
    async history(user, conversation, beforeSeq, limit) {
      const cap = clampLimit(limit, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT)
      const entries = await store.readConversation(user, conversation.toLowerCase(), Math.max(0, beforeSeq), cap + 1)
      const hasMore = entries.length > cap
      const page = hasMore ? entries.slice(0, cap) : entries
      return { events: page.map(entryToEvent), hasMore }
    }
  }
}
