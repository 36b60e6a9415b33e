// Owns the socket requests on messages already sent and on the account's conversations: reactions, one-to-one pins,
// conversation state (pin, mark unread, delete, do not disturb). Checks the input, lets the store decide and append,
// then pushes.
import { ChatTypePb, ErrorCode, encodeFrame, pb } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { MUTED_UNTIL_TURNED_OFF } from '../../../shared/model/reactions'
import { canonicalUserId } from '../../../shared/user-id'
import type { ServerStore } from '../../store/types'
import type { MessageReactionsRow } from '../../store/reactions/types'
import type { ConnectionRef, EventFanout, GroupFanout } from '../fanout'

/** Distinct emoji one message may carry (the "at most 20 distinct per message"). */
export const REACTIONS_PER_MESSAGE_MAX = 20
/** One emoji with its modifiers and joiners (a family or a flag is ~25 UTF-8 bytes); longer is not an emoji. */
export const REACTION_EMOJI_MAX_BYTES = 32
/** Messages per ReactionsRequest: a few screens of a conversation. */
export const REACTIONS_REQUEST_MAX_MESSAGES = 200
/** Groups per GroupReactionsSyncRequest: a device in more asks again (each group costs an indexed range read). */
export const GROUP_REACTIONS_SYNC_MAX_GROUPS = 100
/** Changed messages answered per group per request (has_more says to ask again): a frame well under 64 KiB. */
export const GROUP_REACTIONS_SYNC_MAX_MESSAGES = 100

type Answer<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string }

export interface ReactionsService {
  react(user: string, request: parley.v1.ReactRequest.$Properties, origin: ConnectionRef): Promise<Answer<parley.v1.ReactResponse.$Properties>>
  reactions(user: string, request: parley.v1.ReactionsRequest.$Properties): Promise<Answer<parley.v1.ReactionsResponse.$Properties>>
  /** Group reaction catch-up: per group, the messages whose reactions changed after the device's cursor. */
  groupReactionsSync(user: string, request: parley.v1.GroupReactionsSyncRequest.$Properties): Promise<Answer<parley.v1.GroupReactionsSyncResponse.$Properties>>
  messagePin(user: string, request: parley.v1.MessagePinRequest.$Properties, origin: ConnectionRef): Promise<Answer<parley.v1.MessagePinResponse.$Properties>>
  conversationState(
    user: string,
    request: parley.v1.ConversationStateRequest.$Properties,
    origin: ConnectionRef
  ): Promise<Answer<parley.v1.ConversationStateResponse.$Properties>>
}

/** Only pictographs, their modifiers, joiners and keycaps: a reaction is never text. */
const EMOJI_PATTERN = /^(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u200d|\ufe0f|\u20e3)+$/u

export function emojiProblem(emoji: string): string | null {
  if (!emoji) return 'A reaction needs an emoji.'
  if (Buffer.byteLength(emoji, 'utf8') > REACTION_EMOJI_MAX_BYTES) return `A reaction is one emoji (at most ${REACTION_EMOJI_MAX_BYTES} bytes).`
  if (!EMOJI_PATTERN.test(emoji) || !/\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(emoji)) return 'A reaction must be an emoji.'
  return null
}

function wireReactions(row: MessageReactionsRow): parley.v1.MessageReactions.$Properties {
  return { serverId: row.serverId, reactions: row.reactions }
}

/** The conversation id as the store keys it: a canonical user for one-to-one chats, the group id as given. */
function conversationOf(chatType: number, raw: string | null | undefined): string | null {
  if (chatType === ChatTypePb.CHAT_TYPE_SINGLE) return canonicalUserId(raw)
  if (chatType === ChatTypePb.CHAT_TYPE_GROUP) return raw ? raw : null
  return null
}

export function createReactionsService(store: ServerStore, fanout: EventFanout & GroupFanout): ReactionsService {
  const bad = (message: string): { ok: false; code: ErrorCode; message: string } => ({ ok: false, code: ErrorCode.ERROR_BAD_REQUEST, message })

  /** Pushes appended user-log entries to each owner's online devices, the acting connection aside. */
  const pushEntries = (entries: ReadonlyArray<{ user: string; seq: number; event: object }>, field: 'reaction' | 'messagePin' | 'conversationState', origin: ConnectionRef): void => {
    for (const entry of entries) {
      const event = { seq: entry.seq, [field]: entry.event }
      fanout.deliver(entry.user, () => encodeFrame({ id: 0, event }), origin)
    }
  }

  return {
    async react(user, request, origin) {
      const chatType = request.chatType ?? ChatTypePb.CHAT_TYPE_SINGLE
      const conversation = conversationOf(chatType, request.conversation)
      const serverId = Number(request.serverId ?? 0)
      if (!conversation || !(serverId > 0)) return bad('A reaction needs a one-to-one or group conversation and a message.')
      const emoji = (request.emoji ?? '').normalize('NFC')
      const problem = emojiProblem(emoji)
      if (problem) return bad(problem)
      const result = await store.reactionChange({
        user,
        conversation,
        chatType,
        serverId,
        emoji,
        remove: request.remove === true,
        at: Date.now(),
        maxDistinct: REACTIONS_PER_MESSAGE_MAX
      })
      if (!result.ok) {
        return result.refusal === 'too-many'
          ? { ok: false, code: ErrorCode.ERROR_TOO_MANY_REACTIONS, message: `A message can have at most ${REACTIONS_PER_MESSAGE_MAX} different reactions.` }
          : { ok: false, code: ErrorCode.ERROR_NOT_FOUND, message: 'That message is not in a conversation you can see.' }
      }
      if (result.changed) {
        if (chatType === ChatTypePb.CHAT_TYPE_GROUP) {
          // Groups: one encoded push to the members' online devices; a device that was away re-reads the reactions
          // of what it shows (ReactionsRequest), so the group's log stays one entry per message.
          fanout.deliverGroup(conversation, () => encodeFrame({ id: 0, reactionUpdate: result.event }), origin)
        } else {
          pushEntries(result.appended, 'reaction', origin)
        }
      }
      const own = result.appended.find((entry) => entry.user === user)
      return { ok: true, value: { eventSeq: own?.seq ?? 0, reactions: wireReactions(result.reactions) } }
    },

    async reactions(user, request) {
      const chatType = request.chatType ?? ChatTypePb.CHAT_TYPE_SINGLE
      const conversation = conversationOf(chatType, request.conversation)
      const ids = (request.serverIds ?? []).map(Number).filter((id) => id > 0)
      if (!conversation) return bad('Reactions need a one-to-one or group conversation.')
      if (ids.length > REACTIONS_REQUEST_MAX_MESSAGES) {
        return { ok: false, code: ErrorCode.ERROR_LIMIT_EXCEEDED, message: `Ask for the reactions of at most ${REACTIONS_REQUEST_MAX_MESSAGES} messages at a time.` }
      }
      const rows = await store.reactionsOf(user, conversation, chatType, ids)
      return { ok: true, value: { messages: rows.map(wireReactions) } }
    },

    async groupReactionsSync(user, request) {
      const cursors = request.cursors ?? []
      if (cursors.length > GROUP_REACTIONS_SYNC_MAX_GROUPS) {
        return { ok: false, code: ErrorCode.ERROR_LIMIT_EXCEEDED, message: `Ask for at most ${GROUP_REACTIONS_SYNC_MAX_GROUPS} groups at a time.` }
      }
      const groups: parley.v1.GroupReactionsChanges.$Properties[] = []
      for (const cursor of cursors) {
        const group = cursor.group ?? ''
        if (!group) return bad('Each cursor needs a group.')
        const found = await store.groupReactionChanges(user, group, Number(cursor.after ?? 0), GROUP_REACTIONS_SYNC_MAX_MESSAGES, cursor.headOnly === true)
        if (!found.member) {
          groups.push({ group, notMember: true })
          continue
        }
        groups.push({ group, serverIds: found.serverIds, messages: found.messages.map(wireReactions), cursor: found.cursor, hasMore: found.hasMore })
      }
      return { ok: true, value: { groups } }
    },

    async messagePin(user, request, origin) {
      const peer = canonicalUserId(request.conversation)
      if (!peer) return bad('A pin needs a one-to-one conversation (groups pin with GroupPin).')
      const result = await store.singlePinChange(user, peer, Number(request.serverId ?? 0), request.pinned === true, Date.now())
      if (!result.ok) return { ok: false, code: ErrorCode.ERROR_NOT_FOUND, message: 'That message is not in this conversation.' }
      pushEntries(result.appended, 'messagePin', origin)
      const own = result.appended.find((entry) => entry.user === user)
      return { ok: true, value: { eventSeq: own?.seq ?? 0, pinned: result.pinned } }
    },

    async conversationState(user, request, origin) {
      if (request.list) return { ok: true, value: { eventSeq: 0, states: await store.conversationStates(user) } }
      const chatType = request.chatType ?? ChatTypePb.CHAT_TYPE_SINGLE
      const conversation = conversationOf(chatType, request.conversation)
      if (!conversation) return bad('A conversation state needs a one-to-one or group conversation.')
      const change = request.change
      if (!change) return bad('Say what changes: pinned, marked unread, deleted or muted until.')
      const outcome = await store.conversationStateChange({
        user,
        conversation,
        chatType,
        at: Date.now(),
        ...(change === 'pinned' ? { pinned: request.pinned === true } : {}),
        ...(change === 'markedUnread' ? { markedUnread: request.markedUnread === true } : {}),
        ...(change === 'deleteThroughSeq' ? { deleteThroughSeq: Number(request.deleteThroughSeq ?? 0) } : {}),
        ...(change === 'mutedUntil' ? { mutedUntil: Math.min(Number(request.mutedUntil ?? 0), MUTED_UNTIL_TURNED_OFF) } : {})
      })
      if (outcome.seq > 0) pushEntries([{ user, seq: outcome.seq, event: pb.ConversationStateEvent.create({ state: outcome.state }) }], 'conversationState', origin)
      return { ok: true, value: { eventSeq: outcome.seq, states: [outcome.state] } }
    }
  }
}
