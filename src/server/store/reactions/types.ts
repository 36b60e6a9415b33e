// Owns the reactions store contract: emoji reactions (rows + log entries), one-to-one message pins and each
// account's conversation state (pinned, marked unread, deleted), every change with the log entries it appends.
import type { parley } from '../../../shared/proto/gen/parley.js'

export type ReactionEventProps = parley.v1.ReactionEvent.$Properties
export type ConversationStateProps = parley.v1.ConversationState.$Properties

export interface ReactionChange {
  user: string
  /** The peer (single) or the group id. */
  conversation: string
  chatType: number
  serverId: number
  emoji: string
  remove: boolean
  at: number
  /** Distinct emoji a message may carry (REACTIONS_PER_MESSAGE_MAX). */
  maxDistinct: number
}

/** Emoji of one message in the order each first appeared, with who reacted (first first). */
export interface MessageReactionsRow {
  serverId: number
  reactions: Array<{ emoji: string; users: string[] }>
}

export type ReactionRefusal = 'not-found' | 'too-many'

export type ReactionChangeResult =
  | { ok: false; refusal: ReactionRefusal }
  | {
      ok: true
      changed: boolean
      event: ReactionEventProps
      /** One-to-one: the entries appended (user, seq, the event as that user sees it); groups: none. */
      appended: Array<{ user: string; seq: number; event: ReactionEventProps }>
      reactions: MessageReactionsRow
    }

export interface PinChangeResult {
  ok: boolean
  /** Entries appended to both people's logs (none when nothing changed). */
  appended: Array<{ user: string; seq: number; event: parley.v1.MessagePinEvent.$Properties }>
  pinned: number[]
}

export interface ConversationStateChange {
  user: string
  conversation: string
  chatType: number
  pinned?: boolean
  markedUnread?: boolean
  deleteThroughSeq?: number
  /** Do not disturb until (ms since epoch); 0 = not muted. */
  mutedUntil?: number
  at: number
}

export type GroupReactionChangesRow =
  | { member: false }
  | { member: true; serverIds: number[]; messages: MessageReactionsRow[]; cursor: number; hasMore: boolean }

export interface ReactionsStore {
  /** Adds or removes one reaction; one-to-one changes append a ReactionEvent to both people's logs. */
  reactionChange(change: ReactionChange): Promise<ReactionChangeResult>
  /** The reactions of the given messages of one conversation the user may read (others are left out). */
  reactionsOf(user: string, conversation: string, chatType: number, serverIds: readonly number[]): Promise<MessageReactionsRow[]>
  /**
   * Group reaction catch-up: the messages of `group` whose reactions changed after position `after` (oldest change
   * first, at most `limit`) that `user` may see (a current member, messages after their join), with their reactions
   * now; `cursor` is the position to continue from. `headOnly`: no messages, the current head as the cursor.
   */
  groupReactionChanges(user: string, group: string, after: number, limit: number, headOnly: boolean): Promise<GroupReactionChangesRow>
  /** Pins / unpins a message of the one-to-one conversation of `user` and `peer` (serverId 0: only list). */
  singlePinChange(user: string, peer: string, serverId: number, pinned: boolean, at: number): Promise<PinChangeResult>
  /** Changes the account's state of a conversation and appends a ConversationStateEvent when it changed. */
  conversationStateChange(change: ConversationStateChange): Promise<{ seq: number; state: ConversationStateProps }>
  /** Every conversation state the account has set. */
  conversationStates(user: string): Promise<ConversationStateProps[]>
}
