// Owns reading a user's log: catch-up batches after a cursor (sync) and per-conversation pages (history).
// Limits are clamped here so no request can ask for an unbounded read.
import { MAX_FRAME_BYTES, pb } from '../../shared/proto/codec'
import type { parley } from '../../shared/proto/gen/parley.js'
import {
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  SYNC_DEFAULT_LIMIT,
  SYNC_MAX_LIMIT
} from '../config'
import type { ServerStore } from '../store/types'
import { entryToEvent, type EventProps } from './events'

export type SyncBatchProps = parley.v1.SyncBatch.$Properties
export type HistoryPageProps = parley.v1.HistoryPage.$Properties

/** Room kept for the frame envelope around the events (request id, has_more, head_seq, field headers). */
const FRAME_ENVELOPE_RESERVE_BYTES = 64
/** Per-event overhead of a repeated field: tag byte plus a length varint of up to 3 bytes (events < 2 MiB). */
const REPEATED_FIELD_OVERHEAD_BYTES = 4

/**
 * Keeps the leading events that fit in one frame: a batch of large messages must never exceed the frame size
 * both ends enforce, or the client would drop the link and ask for the same batch forever. One event always fits.
 */
export function fitEventsInFrame(events: EventProps[]): { events: EventProps[]; truncated: boolean } {
  let budget = MAX_FRAME_BYTES - FRAME_ENVELOPE_RESERVE_BYTES
  for (let i = 0; i < events.length; i++) {
    budget -= pb.Event.encode(events[i]!).len + REPEATED_FIELD_OVERHEAD_BYTES
    if (budget < 0) return { events: events.slice(0, Math.max(1, i)), truncated: true }
  }
  return { events, truncated: false }
}

function clampLimit(requested: number | null | undefined, fallback: number, max: number): number {
  if (!requested || requested <= 0) return fallback
  return Math.min(requested, max)
}

export interface SyncService {
  sync(user: string, afterSeq: number, limit: number | null | undefined): Promise<SyncBatchProps>
  history(user: string, conversation: string, beforeSeq: number, limit: number | null | undefined): Promise<HistoryPageProps>
}

export function createSyncService(store: ServerStore): SyncService {
  const headSeq = async (user: string): Promise<number> => (await store.getUser(user))?.headSeq ?? 0

  return {
    async sync(user, afterSeq, limit) {
      const cap = clampLimit(limit, SYNC_DEFAULT_LIMIT, SYNC_MAX_LIMIT)
      const entries = await store.readLogAfter(user, Math.max(0, afterSeq), cap + 1)
      const fitted = fitEventsInFrame(entries.slice(0, cap).map(entryToEvent))
      return { events: fitted.events, hasMore: fitted.truncated || entries.length > cap, headSeq: await headSeq(user) }
    },
    async history(user, conversation, beforeSeq, limit) {
      const cap = clampLimit(limit, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT)
      const entries = await store.readConversation(user, conversation.toLowerCase(), Math.max(0, beforeSeq), cap + 1)
      const fitted = fitEventsInFrame(entries.slice(0, cap).map(entryToEvent))
      return { events: fitted.events, hasMore: fitted.truncated || entries.length > cap }
    }
  }
}
