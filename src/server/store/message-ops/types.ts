// Owns the storage contract of recall, edit, clearing on other devices and self-destruct: each change is decided and
// written in one transaction together with the user-log entries that tell every participant's devices about it.
import type { UserEvent } from '../records'

/** A message as the asking user names it: the conversation from their view (peer or group) and its server id. */
export interface MessageRef {
  conversation: string
  chatType: number
  serverId: number
}

/** A user-log entry written by a change: the service pushes it to the user's online devices after the commit. */
export interface LogDelivery {
  user: string
  seq: number
  event: UserEvent
}

export type MessageOpOutcome =
  | { ok: true; deliveries: LogDelivery[]; /** The encoded MessageChange (the answer's). */ change: Uint8Array }
  | { ok: false; code: number; message: string }

export interface ConversationSettingsRow {
  conversation: string
  chatType: number
  disappearAfterSec: number
  changedBy: string
  at: number
}

export interface MessageOpsStore {
  /** Recalls a message: own within `windowMs` of its send, or any member's as a group owner/admin. */
  recallMessage(actor: string, ref: MessageRef, now: number, windowMs: number): Promise<MessageOpOutcome>
  /** Replaces an own text message's text within `windowMs` of its send. */
  editMessage(actor: string, ref: MessageRef, text: string, now: number, windowMs: number): Promise<MessageOpOutcome>
  /** The user's view of a one-to-one conversation's settings (disappearing timer 0 when never set). */
  conversationSettings(user: string, conversation: string, chatType: number): Promise<ConversationSettingsRow>
  /** Sets the disappearing timer for both sides of a one-to-one conversation (both logs get the event). */
  setConversationSettings(
    user: string, conversation: string, chatType: number, disappearAfterSec: number, now: number
  ): Promise<{ settings: ConversationSettingsRow; deliveries: LogDelivery[]; /** Groups: the table refused it. */ refusal?: { code: number; message: string } }>
  /** Tells the user's other devices (through the user's log) to clear a conversation up to a time. */
  clearConversationElsewhere(user: string, conversation: string, chatType: number, upToTimestamp: number, now: number): Promise<LogDelivery>
  /**
   * Delete for me: the messages `user` names leave `user`'s own log (one-to-one) or are kept in `deleted_for_me`
   * (groups, whose log is shared), so history, sync and the conversation list never show them to that account again
   * while the other participants keep them; one ConversationCleared entry naming them goes to `user`'s log for the
   * other devices. Ids `user` may not see are skipped; null when none was left.
   */
  deleteForUser(user: string, conversation: string, chatType: number, serverIds: readonly number[], now: number): Promise<LogDelivery | null>
  /** The reader's pointer moved to `readSeq`: burn-after-reading messages from `peer` up to it start their timers. */
  startBurnTimers(reader: string, peer: string, readSeq: number, now: number): Promise<LogDelivery[]>
  /**
   * A group member's read pointer moved from `readBefore` to `readSeq`: the burn-after-reading messages of others in
   * between start burning for them (and for the sender, with the first reader). Entries go to those users' logs only.
   */
  startGroupBurnTimers(reader: string, group: string, readBefore: number, readSeq: number, now: number): Promise<LogDelivery[]>
  /**
   * Deletes up to `limit` messages whose time ran out, telling both sides; `more` when some are left. `gone`: the
   * server ids whose content left the server (not a group copy burnt for one member only): their attachments may go.
   */
  sweepExpired(now: number, limit: number): Promise<{ swept: number; deliveries: LogDelivery[]; more: boolean; gone: number[] }>
  /** The earliest expiry still pending, or null. */
  nextExpiry(): Promise<number | null>
}
