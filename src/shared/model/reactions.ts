// Owns the domain types of what people do to messages and conversations after sending: emoji reactions, pins of
// one-to-one messages, the account's conversation state (pinned, marked unread, deleted, do not disturb) and its
// device list.
import type { ConversationKey } from './messages'

/** Emoji in the order each first appeared on the message, with who reacted (first first). */
export interface MessageReaction {
  emoji: string
  users: string[]
}

export interface MessageReactions {
  serverId: number
  reactions: MessageReaction[]
}

/** Pushed when a message's reactions changed on this device (mine, someone else's, or from another device). */
export interface ReactionsChanged {
  conversation: ConversationKey
  serverId: number
  reactions: MessageReaction[]
}

/** Pushed when a one-to-one conversation's pins changed (groups report theirs in GroupInfo.pinned). */
export interface PinsChanged {
  conversation: ConversationKey
  /** Server ids, newest pin first. */
  pinned: number[]
}

/** The account's own view of a conversation, the same on all its devices. */
export interface ConversationState {
  conversation: ConversationKey
  pinned: boolean
  markedUnread: boolean
  /** The conversation was deleted up to this seq on one of the account's devices (0 = never). */
  deletedThroughSeq: number
  /** Do not disturb until this time (ms since epoch); 0 = not muted; MUTED_UNTIL_TURNED_OFF = until turned off. */
  mutedUntil: number
}

/**
 * "Until I turn it off": the last millisecond of the year 9999 (253402300799999). A real time rather than a flag, so
 * every device compares one number (mutedUntil > now) and an older device that knows no flag still sees it muted;
 * still a valid Date and a safe integer, and far beyond any real expiry.
 */
export const MUTED_UNTIL_TURNED_OFF = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/** A signed-in device of the account, as the device list shows it. */
export interface DeviceInfo {
  sessionId: string
  deviceId: string
  name: string
  platform: string
  signedInAt: number
  /** ms since epoch; for an online device, now. 0 = never connected. */
  lastSeenAt: number
  current: boolean
  online: boolean
}

export interface DeviceList {
  devices: DeviceInfo[]
  /** The server's device limit: a sign-in past it signs out the least recently seen device. */
  limit: number
}

/** A reaction is one emoji; the server refuses anything else (and more than this many distinct per message). */
export const REACTIONS_PER_MESSAGE_MAX = 20
/** The emoji offered first in the reaction picker (the messengers' usual six). */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const
