// Owns routing an authenticated connection's request frames to the services and writing the response frame (with
// the request's id). Unknown, empty or server-only bodies are answered with ERROR_BAD_REQUEST.
import { ChatTypePb, CloseCode, ErrorCode, clientIdToHex, encodeFrame, pb, type DecodedFrame } from '../../shared/proto/codec'
import { createLogger } from '../../shared/logger'
import { canonicalUserId } from '../../shared/user-id'
import type { GatewayServices, RequestContext, RequestDispatcher } from './request-context'

const log = createLogger('server:dispatch')

const SIGNED_OUT_MESSAGE = 'You signed out; sign in again to continue.'
const SIGNED_OUT_ELSEWHERE_MESSAGE = 'This account was signed out on every device; sign in again.'

export function createDispatcher(services: GatewayServices): RequestDispatcher {
  const { messages, sync, tokens, config, store, live } = services

  const renew = async (context: RequestContext, id: number, given: string): Promise<void> => {
    if (!given) {
      // Rotation: the answer carries a new token and the presented one stops working at once.
      const rotated = await tokens.rotate(context.grant)
      if (!rotated.ok) {
        if (rotated.reason === 'revoked') {
          context.sendError(id, ErrorCode.ERROR_TOKEN_REVOKED, 'This session has ended; sign in again.')
          live.endSessions(rotated.user, [rotated.sessionId], 'This session has ended; sign in again.')
          context.close(CloseCode.CLOSE_SIGNED_OUT, 'session-revoked')
        } else {
          context.sendError(id, ErrorCode.ERROR_UNAUTHENTICATED, 'The token of this connection is no longer valid.')
        }
        return
      }
      context.adoptGrant(rotated.grant)
      // The new token counts as used only when the device presents it: the renew below that acknowledges it once
      // saved, or an auth / HTTP request with it. Until then the old one may come back from this device (the app
      // closed or crashed before keeping the answer): see DEFAULT_TOKEN_ROTATION_GRACE_SEC in config.ts.
      context.sendFrame({ id, renewOk: { token: rotated.issued.token, expiresAt: rotated.issued.expiresAt } })
      return
    }
    // A token from the app server (a fresh login), or the one the last renew gave once the device saved it (its
    // acknowledgement): it must be this account's and this device's.
    const check = await tokens.check(given, { deviceId: context.givenDeviceId, user: context.user })
    if (!check.ok) {
      const expired = check.reason === 'expired'
      context.sendError(
        id,
        expired ? ErrorCode.ERROR_TOKEN_EXPIRED : check.reason === 'revoked' ? ErrorCode.ERROR_TOKEN_REVOKED : ErrorCode.ERROR_UNAUTHENTICATED,
        expired ? 'The new token has already expired.' : 'The new token is not valid for this account and device.'
      )
      return
    }
    context.adoptGrant(check.grant)
    context.sendFrame({ id, renewOk: { token: given, expiresAt: check.grant.expiresAt } })
  }

  return async (context: RequestContext, frame: DecodedFrame): Promise<void> => {
    const id = frame.id ?? 0
    switch (frame.body) {
      case 'send': {
        // Room messages have no log: the rooms service acks them once they are in the room's recent window.
        const isRoom = frame.send?.chatType === ChatTypePb.CHAT_TYPE_ROOM
        const outcome = isRoom ? await services.rooms.send(context, frame.send ?? {}) : await messages.send(context.user, frame.send ?? {}, context)
        if (!outcome.ok) {
          context.sendError(id, outcome.code, outcome.message)
          return
        }
        const hook = config.testHooks.beforeSendAck
        if (hook) {
          const clientId = clientIdToHex(outcome.ack.clientId ?? new Uint8Array())
          if (hook({ user: context.user, clientId }) === 'drop') {
            log.warn('test hook dropped the connection before the ack', { user: context.user, clientId })
            context.terminate()
            return
          }
        }
        context.sendFrame({ id, sendAck: outcome.ack })
        return
      }
      case 'sync': {
        const request = frame.sync ?? {}
        // Nothing expired comes back: a due sweep (services/message-ops) finishes before the log is read.
        await services.messageOps.sweepIfDue()
        const batch = await sync.sync(context.user, request.afterSeq ?? 0, request.limit)
        if (batch === 'cursor-expired') {
          context.sendError(id, ErrorCode.ERROR_CURSOR_EXPIRED, 'The sync cursor is older than the kept log; start again from the conversation list.')
          return
        }
        context.sendFrame({ id, syncBatch: batch })
        return
      }
      case 'history': {
        const request = frame.history ?? {}
        await services.messageOps.sweepIfDue()
        if (!request.conversation) {
          context.sendError(id, ErrorCode.ERROR_BAD_REQUEST, 'History needs a conversation.')
          return
        }
        if (request.chatType === ChatTypePb.CHAT_TYPE_GROUP) {
          const groupPage = await services.groups.history(context.user, request.conversation, Number(request.beforeSeq ?? 0), request.limit)
          if (groupPage.ok) context.sendFrame({ id, historyPage: groupPage.value })
          else context.sendError(id, groupPage.code, groupPage.message)
          return
        }
        const page = await sync.history(context.user, request.conversation, request.beforeSeq ?? 0, request.limit)
        context.sendFrame({ id, historyPage: page })
        return
      }
      case 'recall': {
        const answer = await services.messageOps.recall(context.user, frame.recall ?? {})
        if (answer.ok) context.sendFrame({ id, recallOk: answer.value })
        else context.sendError(id, answer.code, answer.message)
        return
      }
      case 'edit': {
        const answer = await services.messageOps.edit(context.user, frame.edit ?? {})
        if (answer.ok) context.sendFrame({ id, editOk: answer.value })
        else context.sendError(id, answer.code, answer.message)
        return
      }
      case 'conversationSettings': {
        const answer = await services.messageOps.settings(context.user, frame.conversationSettings ?? {})
        if (answer.ok) context.sendFrame({ id, conversationSettingsOk: answer.value })
        else context.sendError(id, answer.code, answer.message)
        return
      }
      case 'clearConversation': {
        const answer = await services.messageOps.clear(context.user, frame.clearConversation ?? {})
        if (answer.ok) context.sendFrame({ id, clearConversationOk: answer.value })
        else context.sendError(id, answer.code, answer.message)
        return
      }
      case 'groups': {
        const answer = await services.groups.handle(context.user, frame.groups ?? {})
        if (answer.ok) context.sendFrame({ id, groupsOk: answer.value })
        else context.sendError(id, answer.code, answer.message)
        return
      }
      case 'groupSync': {
        context.sendFrame({ id, groupSyncOk: await services.groups.sync(context.user, frame.groupSync ?? {}) })
        return
      }
      case 'recent': {
        await services.messageOps.sweepIfDue()
        context.sendFrame({ id, recentOk: await sync.recent(context.user, frame.recent ?? {}) })
        return
      }
      case 'markRead': {
        const request = frame.markRead ?? {}
        const chatType = request.chatType ?? ChatTypePb.CHAT_TYPE_SINGLE
        const seq = Number(request.seq ?? 0)
        if (chatType === ChatTypePb.CHAT_TYPE_GROUP && seq > 0) {
          // A group pointer is a position in the group's log; the groups service bounds it by the group's head.
          const readBefore = await services.receipts.groupReadSeq(context.user, request.conversation)
          const marked = await services.groups.markRead(context.user, request.conversation ?? '', seq, context)
          if (marked.ok) context.sendFrame({ id, markReadOk: marked.value })
          else context.sendError(id, marked.code, marked.message)
          if (marked.ok && marked.value.eventSeq > 0) {
            void services.receipts.groupReadMoved(context.user, request.conversation, readBefore, marked.value.seq)
            // Burn after reading in groups: this member's copies start burning (services/message-ops).
            void services.messageOps.groupReadMoved(context.user, request.conversation, readBefore, marked.value.seq)
          }
          return
        }
        const conversation = canonicalUserId(request.conversation)
        if (chatType !== ChatTypePb.CHAT_TYPE_SINGLE || !conversation || !(seq > 0)) {
          context.sendError(id, ErrorCode.ERROR_BAD_REQUEST, 'Mark-read needs a one-to-one conversation and a positive seq.')
          return
        }
        // The store clamps a pointer beyond the log's head and never moves one back.
        const moved = await store.setReadPointer(context.user, { conversation, chatType, seq })
        if (moved.eventSeq > 0) {
          // The user's other devices learn it like a message (and catch up on it from the log if offline).
          const event = { seq: moved.eventSeq, readPointer: { conversation, chatType, seq: moved.seq } }
          live.deliver(context.user, () => encodeFrame({ id: 0, event }), context)
          // The first read starts burn-after-reading timers (services/message-ops).
          await services.messageOps.readMoved(context.user, conversation, moved.seq)
        }
        context.sendFrame({ id, markReadOk: { seq: moved.seq, eventSeq: moved.eventSeq } })
        // The peer's devices learn read (or only delivered, when this account turned read receipts off).
        if (moved.eventSeq > 0) void services.receipts.singleReadMoved(context.user, conversation, moved.seq)
        return
      }
      case 'lookupUser': {
        const canonical = canonicalUserId(frame.lookupUser?.user)
        // A deleted account is not found: nobody can start a chat or a friendship with it (its profile says deleted).
        const profile = canonical === null ? null : (await store.profilesGet([canonical]))[0]
        const exists = profile?.exists === true && !profile.deleted
        context.sendFrame({ id, lookupUserOk: { exists, user: canonical ?? '' } })
        return
      }
      case 'contacts': {
        const outcome = await services.contacts.handle(context.user, frame.contacts ?? {}, context)
        if (outcome.ok) context.sendFrame({ id, contactsOk: outcome.response })
        else context.sendError(id, outcome.code, outcome.message)
        return
      }
      case 'profile': {
        const origin = { connection: context, sessionId: context.grant.sessionId }
        const outcome = await services.profiles.handle(context.user, frame.profile ?? {}, origin)
        if (!outcome.ok) {
          context.sendError(id, outcome.code, outcome.message)
          return
        }
        context.sendFrame({ id, profileOk: outcome.response })
        // The account was deleted: this connection's session ended with it.
        if (outcome.endConnection) context.close(CloseCode.CLOSE_SIGNED_OUT, 'Account deleted.')
        return
      }
      case 'receipts': {
        const outcome = await services.receipts.handle(context.user, frame.receipts ?? {}, context)
        if (outcome.ok) context.sendFrame({ id, receiptsOk: outcome.value })
        else context.sendError(id, outcome.code, outcome.message)
        return
      }
      case 'typing': {
        const outcome = await services.receipts.typing(context.user, frame.typing ?? {})
        if (outcome.ok) context.sendFrame({ id, typingOk: outcome.value })
        else context.sendError(id, outcome.code, outcome.message)
        return
      }
      case 'renew':
        await renew(context, id, frame.renew?.token ?? '')
        return
      case 'rooms': {
        const outcome = await services.rooms.handle(context, frame.rooms ?? pb.RoomsRequest.create())
        if (outcome.ok) context.sendFrame({ id, roomsOk: outcome.response })
        else context.sendError(id, outcome.code, outcome.message)
        return
      }
      case 'signOut': {
        const allDevices = frame.signOut?.allDevices === true
        const ended = await tokens.revoke(context.user, context.grant.sessionId, allDevices)
        log.info('signed out', { user: context.user, allDevices, sessions: ended.length })
        context.sendFrame({ id, signOutOk: {} })
        live.endSessions(context.user, allDevices ? 'all' : ended, allDevices ? SIGNED_OUT_ELSEWHERE_MESSAGE : SIGNED_OUT_MESSAGE, context)
        context.close(CloseCode.CLOSE_SIGNED_OUT, 'Signed out.')
        return
      }
      case 'react': {
        const answer = await services.reactions.react(context.user, frame.react ?? {}, context)
        if (answer.ok) context.sendFrame({ id, reactOk: answer.value })
        else context.sendError(id, answer.code, answer.message)
        return
      }
      case 'reactions': {
        const answer = await services.reactions.reactions(context.user, frame.reactions ?? {})
        if (answer.ok) context.sendFrame({ id, reactionsOk: answer.value })
        else context.sendError(id, answer.code, answer.message)
        return
      }
      case 'groupReactionsSync': {
        const answer = await services.reactions.groupReactionsSync(context.user, frame.groupReactionsSync ?? {})
        if (answer.ok) context.sendFrame({ id, groupReactionsSyncOk: answer.value })
        else context.sendError(id, answer.code, answer.message)
        return
      }
      case 'messagePin': {
        const answer = await services.reactions.messagePin(context.user, frame.messagePin ?? {}, context)
        if (answer.ok) context.sendFrame({ id, messagePinOk: answer.value })
        else context.sendError(id, answer.code, answer.message)
        return
      }
      case 'conversationState': {
        const answer = await services.reactions.conversationState(context.user, frame.conversationState ?? {}, context)
        if (answer.ok) context.sendFrame({ id, conversationStateOk: answer.value })
        else context.sendError(id, answer.code, answer.message)
        return
      }
      case 'devices': {
        const answer = await services.devices.handle(context.user, context.grant.sessionId, frame.devices ?? {}, context)
        if (answer.ok) context.sendFrame({ id, devicesOk: answer.value })
        else context.sendError(id, answer.code, answer.message)
        return
      }
      case 'auth':
        context.sendError(id, ErrorCode.ERROR_BAD_REQUEST, 'This connection is already authenticated.')
        return
      default:
        context.sendError(id, ErrorCode.ERROR_BAD_REQUEST, frame.body ? `"${frame.body}" is not a request.` : 'The frame has no body.')
    }
  }
}
