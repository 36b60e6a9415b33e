// Owns the SQLite side of receipts: translating a reader's pointer into the sender's log positions, the delivered
// scan of a confirmed batch, the peers' pointers, group members' read pointers, and the privacy settings.
import { pb } from '../../../shared/proto/codec'
import type { DomainContext } from '../domain-context'
import type { Synchronous } from '../records'
import type { GroupReaderRow, MovedPeerPointer, PeerPointerRow, PrivacyRow, ReceiptsStore } from './types'

/** user_log.kind of a message entry, and ChatType values (messages.proto). */
const KIND_MESSAGE = 1
const CHAT_TYPE_SINGLE = 0
const CHAT_TYPE_GROUP = 1
/** group_log.kind of a message entry (store/groups/schema.ts). */
const GROUP_KIND_MESSAGE = 1
/**
 * A delivered request scans at most this many log entries back from what it confirms: a device that was away for
 * a long time (or the first request of an account) costs one bounded range read, not the whole log. Older
 * messages of such a gap simply stay "sent"; the senders' newer ones are what they look at.
 */
export const DELIVERED_SCAN_MAX_ENTRIES = 5_000
/** Peers asked for in one peer-pointers request (a device asks for the chats it shows). */
export const PEER_POINTERS_MAX = 500

const NO_PRIVACY: PrivacyRow = { readReceiptsOff: false, typingOff: false }

export function openReceiptsSqlite(context: DomainContext): Synchronous<ReceiptsStore> {
  const { db, inTransaction, appendUserEvent, headOf } = context
  const selectPrivacy = db.prepare<[string], { read_receipts_off: number; typing_off: number }>(
    'SELECT read_receipts_off, typing_off FROM privacy_settings WHERE user = ?'
  )
  const upsertPrivacy = db.prepare<[string, number, number]>(
    `INSERT INTO privacy_settings (user, read_receipts_off, typing_off) VALUES (?, ?, ?)
     ON CONFLICT (user) DO UPDATE SET read_receipts_off = excluded.read_receipts_off, typing_off = excluded.typing_off`
  )
  // The newest message of `peer` (the conversation) in the reader's log at or below the reader's pointer, as a
  // position in the peer's (its sender's) log. Walks the reader's message index backwards from the pointer.
  const newestIncomingAtOrBelow = db.prepare<[string, string, number], { sender_seq: number }>(
    `SELECT m.sender_seq FROM user_log l JOIN messages m ON m.server_id = l.server_id
     WHERE l.user = ? AND l.conversation = ? AND l.kind = ${KIND_MESSAGE} AND l.seq <= ? AND l.outgoing = 0
       AND l.chat_type = ${CHAT_TYPE_SINGLE}
     ORDER BY l.seq DESC LIMIT 1`
  )
  const incomingBySender = db.prepare<[string, number, number], { sender: string; seq: number }>(
    `SELECT m.sender AS sender, MAX(m.sender_seq) AS seq FROM user_log l JOIN messages m ON m.server_id = l.server_id
     WHERE l.user = ? AND l.seq > ? AND l.seq <= ? AND l.kind = ${KIND_MESSAGE} AND l.outgoing = 0
       AND l.chat_type = ${CHAT_TYPE_SINGLE}
     GROUP BY m.sender`
  )
  const selectPointer = db.prepare<[string, string], { delivered_seq: number; read_seq: number }>(
    'SELECT delivered_seq, read_seq FROM receipt_pointers WHERE user = ? AND peer = ?'
  )
  const upsertPointer = db.prepare<[string, string, number, number]>(
    `INSERT INTO receipt_pointers (user, peer, delivered_seq, read_seq) VALUES (?, ?, ?, ?)
     ON CONFLICT (user, peer) DO UPDATE SET delivered_seq = excluded.delivered_seq, read_seq = excluded.read_seq`
  )
  const selectDeliveredCursor = db.prepare<[string], { seq: number }>('SELECT seq FROM receipt_delivered_cursors WHERE user = ?')
  const upsertDeliveredCursor = db.prepare<[string, number]>(
    `INSERT INTO receipt_delivered_cursors (user, seq) VALUES (?, ?)
     ON CONFLICT (user) DO UPDATE SET seq = MAX(receipt_delivered_cursors.seq, excluded.seq)`
  )
  const selectMembership = db.prepare<[string, string], { role: number }>('SELECT role FROM group_members WHERE group_id = ? AND user = ?')
  const selectGroupSize = db.prepare<[string], { member_count: number; dissolved_at: number | null }>(
    'SELECT member_count, dissolved_at FROM groups WHERE group_id = ?'
  )
  // Each member's group pointer by the conversations primary key (at most the receipts limit of lookups); members
  // who turned read receipts off are left out, so they never count as readers.
  const memberPointers = db.prepare<[string, string], { user: string; read_seq: number | null; from_seq: number }>(
    `SELECT gm.user AS user, c.read_seq AS read_seq, gm.from_seq AS from_seq FROM group_members gm
     LEFT JOIN conversations c ON c.user = gm.user AND c.conversation = gm.group_id AND c.chat_type = ${CHAT_TYPE_GROUP}
     LEFT JOIN privacy_settings p ON p.user = gm.user
     WHERE gm.group_id = ? AND gm.user <> ? AND COALESCE(p.read_receipts_off, 0) = 0`
  )
  const groupSenders = db.prepare<[string, number, number], { sender: string }>(
    `SELECT DISTINCT sender FROM group_log WHERE group_id = ? AND seq > ? AND seq <= ? AND kind = ${GROUP_KIND_MESSAGE}`
  )
  const selectGroupReadSeq = db.prepare<[string, string], { read_seq: number }>(
    `SELECT read_seq FROM conversations WHERE user = ? AND conversation = ? AND chat_type = ${CHAT_TYPE_GROUP}`
  )

  const privacyOf = (user: string): PrivacyRow => {
    const row = selectPrivacy.get(user)
    return row ? { readReceiptsOff: row.read_receipts_off === 1, typingOff: row.typing_off === 1 } : NO_PRIVACY
  }

  /** Moves `user`'s pointers of `peer` forward (never back) and tells `user`'s log; null when nothing moved. */
  const movePointer = (user: string, peer: string, delivered: number, read: number, at: number): MovedPeerPointer | null => {
    const current = selectPointer.get(user, peer) ?? { delivered_seq: 0, read_seq: 0 }
    const readSeq = Math.max(current.read_seq, read)
    // Read implies delivered: the reader's device has it.
    const deliveredSeq = Math.max(current.delivered_seq, delivered, readSeq)
    if (deliveredSeq === current.delivered_seq && readSeq === current.read_seq) return null
    upsertPointer.run(user, peer, deliveredSeq, readSeq)
    const payload = pb.PeerReceipt.encode({ conversation: peer, chatType: CHAT_TYPE_SINGLE, deliveredSeq, readSeq }).finish()
    const eventSeq = appendUserEvent(user, { kind: 'receipt', conversation: peer, chatType: CHAT_TYPE_SINGLE, payload }, at)
    return { user, peer, deliveredSeq, readSeq, eventSeq }
  }

  return {
    receiptsPrivacy(user) {
      return privacyOf(user)
    },
    receiptsSetPrivacy(user, settings, at) {
      return inTransaction(() => {
        upsertPrivacy.run(user, settings.readReceiptsOff ? 1 : 0, settings.typingOff ? 1 : 0)
        const payload = pb.PrivacySettings.encode(settings).finish()
        const eventSeq = appendUserEvent(user, { kind: 'privacy', conversation: '', chatType: CHAT_TYPE_SINGLE, payload }, at)
        return { settings: { ...settings }, eventSeq }
      })
    },
    receiptsRead(reader, peer, readerSeq, at) {
      if (reader === peer) return null
      return inTransaction(() => {
        const newest = newestIncomingAtOrBelow.get(reader, peer, readerSeq)
        if (!newest) return null
        const read = privacyOf(reader).readReceiptsOff ? 0 : newest.sender_seq
        return movePointer(peer, reader, newest.sender_seq, read, at)
      })
    },
    receiptsDelivered(user, uptoSeq, at) {
      return inTransaction(() => {
        const upto = Math.min(Math.floor(uptoSeq), headOf(user))
        const confirmed = selectDeliveredCursor.get(user)?.seq ?? 0
        if (upto <= confirmed) return []
        const after = Math.max(confirmed, upto - DELIVERED_SCAN_MAX_ENTRIES)
        const moved: MovedPeerPointer[] = []
        for (const row of incomingBySender.all(user, after, upto)) {
          if (row.sender === user) continue
          const change = movePointer(row.sender, user, row.seq, 0, at)
          if (change) moved.push(change)
        }
        upsertDeliveredCursor.run(user, upto)
        return moved
      })
    },
    receiptsPeerPointers(user, peers): PeerPointerRow[] {
      const rows: PeerPointerRow[] = []
      for (const peer of peers.slice(0, PEER_POINTERS_MAX)) {
        const row = selectPointer.get(user, peer)
        if (row) rows.push({ user, peer, deliveredSeq: row.delivered_seq, readSeq: row.read_seq })
      }
      return rows
    },
    receiptsGroupReaders(user, group, maxMembers) {
      const size = selectGroupSize.get(group)
      if (!size || size.dissolved_at !== null || !selectMembership.get(group, user)) return { ok: false, reason: 'not-member' }
      if (size.member_count > maxMembers) return { ok: false, reason: 'too-large' }
      const members: GroupReaderRow[] = memberPointers
        .all(group, user)
        .map((row) => ({ user: row.user, readSeq: row.read_seq ?? 0, fromSeq: row.from_seq }))
      return { ok: true, members, memberCount: size.member_count - 1 }
    },
    receiptsGroupSenders(group, afterSeq, uptoSeq) {
      return groupSenders.all(group, afterSeq, uptoSeq).map((row) => row.sender)
    },
    receiptsIsMember(user, group) {
      const size = selectGroupSize.get(group)
      return !!size && size.dissolved_at === null && !!selectMembership.get(group, user)
    },
    receiptsGroupReadSeq(user, group) {
      return selectGroupReadSeq.get(user, group)?.read_seq ?? 0
    }
  }
}
