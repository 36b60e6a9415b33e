// The receipts store domain on the device (migration 009): the peers' delivered / read pointers of one-to-one chats
// and the account's privacy settings, applied from their user-log entries (Event.receipt, Event.privacy).
import { pb } from '../../../../shared/proto/codec'
import type { PeerReceipts, PrivacySettings } from '../../../../shared/model'
import { canonicalUserId } from '../../../../shared/user-id'
import { StoreError } from '../errors'
import type { StoreDomain, StoreDomainContext, UserEventRecord } from '../domain-types'

export interface ReceiptsStoreApi {
  /** The peer's pointers of a one-to-one chat (zeros when none heard yet); the peer in any spelling of its id. */
  peer(peer: string): PeerReceipts
  /** Moves the pointers forward (never back); returns them as they are now, or null when nothing moved. */
  notePeer(peer: string, deliveredSeq: number, readSeq: number): PeerReceipts | null
  privacy(): PrivacySettings
  setPrivacy(settings: PrivacySettings): void
}

/** What applying a receipt entry reports (ChatClient 'userEvent' change). */
export type ReceiptsChange = { kind: 'peer'; receipts: PeerReceipts } | { kind: 'privacy'; settings: PrivacySettings }

export function openReceiptsStore(context: StoreDomainContext): StoreDomain<ReceiptsStoreApi> {
  const { db } = context
  const selectPeer = db.prepare<[string], { delivered_seq: number; read_seq: number }>(
    "SELECT delivered_seq, read_seq FROM peer_receipts WHERE conversation = ? AND chat_type = 'single'"
  )
  const upsertPeer = db.prepare<[string, number, number]>(
    `INSERT INTO peer_receipts (conversation, chat_type, delivered_seq, read_seq) VALUES (?, 'single', ?, ?)
     ON CONFLICT (conversation, chat_type) DO UPDATE SET delivered_seq = excluded.delivered_seq, read_seq = excluded.read_seq`
  )
  const selectPrivacy = db.prepare<[], { read_receipts_off: number; typing_off: number }>(
    'SELECT read_receipts_off, typing_off FROM privacy_settings WHERE id = 1'
  )
  const upsertPrivacy = db.prepare<[number, number]>(
    `INSERT INTO privacy_settings (id, read_receipts_off, typing_off) VALUES (1, ?, ?)
     ON CONFLICT (id) DO UPDATE SET read_receipts_off = excluded.read_receipts_off, typing_off = excluded.typing_off`
  )

  /** The peer as a canonical user id, like every single-chat id of the store ('BOB' and 'bob' are one peer). */
  const canonicalPeer = (raw: string): string => {
    const id = canonicalUserId(raw)
    if (!id) throw new StoreError('STORE_BAD_ARGUMENT', `The conversation id ${String(raw)} is not a valid user id.`)
    return id
  }
  const peer = (raw: string): PeerReceipts => {
    const id = canonicalPeer(raw)
    const row = selectPeer.get(id)
    return { conversation: { type: 'single', id }, deliveredSeq: row?.delivered_seq ?? 0, readSeq: row?.read_seq ?? 0 }
  }
  const notePeer = (raw: string, deliveredSeq: number, readSeq: number): PeerReceipts | null =>
    context.write(() => {
      const id = canonicalPeer(raw)
      const current = peer(id)
      const read = Math.max(current.readSeq, readSeq)
      const delivered = Math.max(current.deliveredSeq, deliveredSeq, read)
      if (read === current.readSeq && delivered === current.deliveredSeq) return null
      upsertPeer.run(id, delivered, read)
      return { conversation: { type: 'single', id }, deliveredSeq: delivered, readSeq: read }
    })
  const setPrivacy = (settings: PrivacySettings): void => {
    context.write(() => upsertPrivacy.run(settings.readReceiptsOff ? 1 : 0, settings.typingOff ? 1 : 0))
  }

  const decode = (event: UserEventRecord): ReturnType<typeof pb.Event.decode> => {
    try {
      return pb.Event.decode(event.raw)
    } catch (err) {
      throw new StoreError('STORE_BAD_ARGUMENT', `A receipts entry does not decode: ${String(err)}`)
    }
  }

  return {
    appliers: {
      receipt: (event): ReceiptsChange | undefined => {
        const receipt = decode(event).receipt
        const id = canonicalUserId(receipt?.conversation)
        if (!receipt || !id) throw new StoreError('STORE_BAD_ARGUMENT', 'A receipt entry names no conversation.')
        const moved = notePeer(id, Number(receipt.deliveredSeq ?? 0), Number(receipt.readSeq ?? 0))
        return moved ? { kind: 'peer', receipts: moved } : undefined
      },
      privacy: (event): ReceiptsChange => {
        const privacy = decode(event).privacy
        const settings = { readReceiptsOff: privacy?.readReceiptsOff === true, typingOff: privacy?.typingOff === true }
        setPrivacy(settings)
        return { kind: 'privacy', settings }
      }
    },
    api: {
      peer,
      notePeer,
      privacy: () => {
        const row = selectPrivacy.get()
        return { readReceiptsOff: row?.read_receipts_off === 1, typingOff: row?.typing_off === 1 }
      },
      setPrivacy
    }
  }
}
