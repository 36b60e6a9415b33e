// Owns the receipts store contract: peer pointers of one-to-one chats (delivered, read), group members' read
// pointers as the receipts of a group message, and the per-account privacy settings. Asynchronous like ServerStore.

export interface PrivacyRow {
  readReceiptsOff: boolean
  typingOff: boolean
}

/** A peer's pointers as `user` is told of them (positions in `user`'s log). */
export interface PeerPointerRow {
  user: string
  peer: string
  deliveredSeq: number
  readSeq: number
}

/** A moved peer pointer and the user-log entry that tells `user` of it. */
export interface MovedPeerPointer extends PeerPointerRow {
  eventSeq: number
}

/** A member's read pointer in a group, as the receipts of the group's messages see it. */
export interface GroupReaderRow {
  user: string
  readSeq: number
  /** The member joined after this seq of the group's log (they never saw the messages at or below it). */
  fromSeq: number
}

export type GroupReadersAnswer =
  | { ok: true; members: GroupReaderRow[]; memberCount: number }
  | { ok: false; reason: 'not-member' | 'too-large' }

export interface ReceiptsStore {
  receiptsPrivacy(user: string): Promise<PrivacyRow>
  /** Stores the settings and appends a privacy entry to the user's log (their devices follow); returns its seq. */
  receiptsSetPrivacy(user: string, settings: PrivacyRow, at: number): Promise<{ settings: PrivacyRow; eventSeq: number }>
  /**
   * `reader` read their chat with `peer` up to `readerSeq` (a position in the reader's log): the peer's pointer of
   * the chat moves to the newest message of theirs the reader has at or below it (read, unless the reader turned
   * read receipts off: then delivered only). Null when nothing moved.
   */
  receiptsRead(reader: string, peer: string, readerSeq: number, at: number): Promise<MovedPeerPointer | null>
  /**
   * A device of `user` stored the user's log up to `uptoSeq`: each sender of a one-to-one message in it since the
   * last such request learns delivered. One entry per sender whose pointer moved.
   */
  receiptsDelivered(user: string, uptoSeq: number, at: number): Promise<MovedPeerPointer[]>
  /** What `user` knows of the given peers' pointers (peers never heard from are left out). */
  receiptsPeerPointers(user: string, peers: readonly string[]): Promise<PeerPointerRow[]>
  /** Every member's group read pointer but the asker's, for a member asking, in groups up to `maxMembers`. */
  receiptsGroupReaders(user: string, group: string, maxMembers: number): Promise<GroupReadersAnswer>
  /** Who sent group messages in (afterSeq, uptoSeq] of the group's log (they learn of a reader moving past them). */
  receiptsGroupSenders(group: string, afterSeq: number, uptoSeq: number): Promise<string[]>
  /** Whether the user is a member of the group now (typing is relayed for members only). */
  receiptsIsMember(user: string, group: string): Promise<boolean>
  /** The user's group read pointer (0 when none). */
  receiptsGroupReadSeq(user: string, group: string): Promise<number>
}
