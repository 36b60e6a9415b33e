// Owns reading a user's log: catch-up batches after a cursor (sync), per-conversation pages (history) and the
// conversation list a new device starts from (recent). Limits are clamped here so no request asks for an unbounded read.
import { MAX_FRAME_BYTES, pb } from '../../shared/proto/codec'
import type { parley } from '../../shared/proto/gen/parley.js'
import { canonicalUserId } from '../../shared/user-id'
import {
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  RECENT_DEFAULT_LIMIT,
  RECENT_MAX_LIMIT,
  SYNC_DEFAULT_LIMIT,
  SYNC_MAX_LIMIT
} from '../config'
import type { RecentCursor, ServerStore } from '../store/types'
import { entryToEvent, type EventProps } from './events'

export type SyncBatchProps = parley.v1.SyncBatch.$Properties
export type HistoryPageProps = parley.v1.HistoryPage.$Properties
export type RecentRequestProps = parley.v1.RecentConversationsRequest.$Properties
export type RecentResponseProps = parley.v1.RecentConversationsResponse.$Properties
export type ConversationSummaryProps = parley.v1.ConversationSummary.$Properties

/** Room kept for the frame envelope around the items (request id, has_more, head_seq, field headers). */
const FRAME_ENVELOPE_RESERVE_BYTES = 64
/** Per-item overhead of a repeated field: tag byte plus a length varint of up to 3 bytes (items < 2 MiB). */
const REPEATED_FIELD_OVERHEAD_BYTES = 4

/**
 * Keeps the leading items that fit in one frame: a batch of large messages must never exceed the frame size both
 * ends enforce, or the client would drop the link and ask for the same batch forever. One item always fits.
 */
function fitInFrame<T>(items: T[], encodedLength: (item: T) => number): { items: T[]; truncated: boolean } {
  let budget = MAX_FRAME_BYTES - FRAME_ENVELOPE_RESERVE_BYTES
  for (let i = 0; i < items.length; i++) {
    budget -= encodedLength(items[i]!) + REPEATED_FIELD_OVERHEAD_BYTES
    if (budget < 0) return { items: items.slice(0, Math.max(1, i)), truncated: true }
  }
  return { items, truncated: false }
}

export function fitEventsInFrame(events: EventProps[]): { events: EventProps[]; truncated: boolean } {
  const fitted = fitInFrame(events, (event) => pb.Event.encode(event).len)
  return { events: fitted.items, truncated: fitted.truncated }
}

function clampLimit(requested: number | null | undefined, fallback: number, max: number): number {
  if (!requested || requested <= 0) return fallback
  return Math.min(requested, max)
}

export interface SyncService {
  /** 'cursor-expired' when entries after the cursor were trimmed: the device starts again from `recent`. */
  sync(user: string, afterSeq: number, limit: number | null | undefined): Promise<SyncBatchProps | 'cursor-expired'>
  history(user: string, conversation: string, beforeSeq: number, limit: number | null | undefined): Promise<HistoryPageProps>
  recent(user: string, request: RecentRequestProps): Promise<RecentResponseProps>
}

/** What recent needs of the groups service: the user's groups as conversations. */
export interface GroupSummarySource {
  summaries(user: string): Promise<ConversationSummaryProps[]>
}

export function createSyncService(store: ServerStore, groups?: GroupSummarySource): SyncService {
  return {
    async sync(user, afterSeq, limit) {
      const cursor = Math.max(0, afterSeq)
      // Entries up to oldestSeq - 1 were trimmed: a cursor below that would silently skip them.
      if (cursor < (await store.oldestSeq(user)) - 1) return 'cursor-expired'
      const cap = clampLimit(limit, SYNC_DEFAULT_LIMIT, SYNC_MAX_LIMIT)
      const entries = await store.readLogAfter(user, cursor, cap + 1)
      const fitted = fitEventsInFrame(entries.slice(0, cap).map(entryToEvent))
      return { events: fitted.events, hasMore: fitted.truncated || entries.length > cap, headSeq: await store.headSeq(user) }
    },

    async history(user, conversation, beforeSeq, limit) {
      const peer = canonicalUserId(conversation)
      // Not a user id at all: no such conversation (groups and rooms bring their own ids later).
      if (!peer) return { events: [], hasMore: false }
      const cap = clampLimit(limit, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT)
      const entries = await store.readConversation(user, peer, Math.max(0, beforeSeq), cap + 1)
      const fitted = fitEventsInFrame(entries.slice(0, cap).map(entryToEvent))
      return { events: fitted.events, hasMore: fitted.truncated || entries.length > cap }
    },

    async recent(user, request) {
      const cap = clampLimit(request.limit, RECENT_DEFAULT_LIMIT, RECENT_MAX_LIMIT)
      const after: RecentCursor | null = request.afterConversation
        ? { lastSeq: Number(request.afterSeq ?? 0), conversation: request.afterConversation, chatType: request.afterChatType ?? 0 }
        : null
      // Read the head first: whatever lands after it is in the log after head_seq, so a device that syncs from
      // head_seq misses nothing (an entry in both places is applied once by its seq).
      const headSeq = await store.headSeq(user)
      const rows = await store.recentConversations(user, after, cap + 1)
      // The first page also lists the user's groups (their entries live in the groups' logs, not in the user's):
      // they come first, so a page always ends with a one-to-one conversation whose seq the next page pages after.
      const groupSummaries = after === null && groups ? await groups.summaries(user) : []
      const single: ConversationSummaryProps[] = rows.slice(0, cap).map((row) => ({
        conversation: row.conversation,
        chatType: row.chatType,
        last: entryToEvent(row.last),
        readSeq: row.readSeq,
        unread: row.unread
      }))
      const summaries = [...groupSummaries, ...single]
      const fitted = fitInFrame(summaries, (summary) => pb.ConversationSummary.encode(summary).len)
      return { conversations: fitted.items, hasMore: fitted.truncated || rows.length > cap, headSeq }
    }
  }
}
