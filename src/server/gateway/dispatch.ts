// Owns routing an authenticated session's request frames to the services and writing the response frame
// (with the request's id). Unknown, empty or server-only bodies are answered with ERROR_BAD_REQUEST.
import { ErrorCode, clientIdToHex, type DecodedFrame } from '../../shared/proto/codec'
import { createLogger } from '../../shared/logger'
import type { ClientSession } from './session'

const log = createLogger('server:dispatch')

export async function dispatchRequest(session: ClientSession, frame: DecodedFrame): Promise<void> {
  const id = frame.id ?? 0
  const { messages, sync, tokens, config } = session.deps
  switch (frame.body) {
    case 'send': {
      const outcome = await messages.send(session.user, frame.send ?? {}, session)
      if (!outcome.ok) {
        session.sendError(id, outcome.code, outcome.message)
        return
      }
      const hook = config.testHooks.beforeSendAck
      if (hook) {
        const clientId = clientIdToHex(outcome.ack.clientId ?? new Uint8Array())
        if (hook({ user: session.user, clientId }) === 'drop') {
          log.warn('test hook dropped the connection before the ack', { user: session.user, clientId })
          session.terminate()
          return
        }
      }
      session.sendFrame({ id, sendAck: outcome.ack })
      return
    }
    case 'sync': {
      const request = frame.sync ?? {}
      const batch = await sync.sync(session.user, request.afterSeq ?? 0, request.limit)
      session.sendFrame({ id, syncBatch: batch })
      return
    }
    case 'history': {
      const request = frame.history ?? {}
      if (!request.conversation) {
        session.sendError(id, ErrorCode.ERROR_BAD_REQUEST, 'History needs a conversation.')
        return
      }
      const page = await sync.history(session.user, request.conversation, request.beforeSeq ?? 0, request.limit)
      session.sendFrame({ id, historyPage: page })
      return
    }
    case 'renew': {
      const given = frame.renew?.token ?? ''
      if (!given) {
        const issued = tokens.mint(session.user)
        session.scheduleTokenTimers(issued.expiresAt)
        session.sendFrame({ id, renewOk: { token: issued.token, expiresAt: issued.expiresAt } })
        return
      }
      const check = tokens.verify(given)
      if (!check.ok || check.claims.sub !== session.user) {
        const expired = !check.ok && check.reason === 'expired'
        session.sendError(
          id,
          expired ? ErrorCode.ERROR_TOKEN_EXPIRED : ErrorCode.ERROR_UNAUTHENTICATED,
          expired ? 'The new token has already expired.' : 'The new token is not valid for this account.'
        )
        return
      }
      session.scheduleTokenTimers(check.claims.exp)
      session.sendFrame({ id, renewOk: { token: given, expiresAt: check.claims.exp } })
      return
    }
    case 'auth':
      session.sendError(id, ErrorCode.ERROR_BAD_REQUEST, 'This connection is already authenticated.')
      return
    default:
      session.sendError(id, ErrorCode.ERROR_BAD_REQUEST, frame.body ? `"${frame.body}" is not a request.` : 'The frame has no body.')
  }
}
