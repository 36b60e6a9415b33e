// Owns why a connection ended for good, as a code and params the renderer words: the fatal close codes, the reason
// a CLOSE_SIGNED_OUT names, and the notice the server sent just before (signed out by another device, device limit).
import { SIGNED_OUT_CLOSE_REASONS, type AppErrorCode, type AppErrorParams, type FailureReasonName, type SignedOutCloseReason } from '../../../shared/errors'
import { CloseCode, ErrorCode } from '../../../shared/proto/codec'
import { ProtocolError } from '../protocol/errors'

/** Connection-level errors that say why the session was ended; the close that follows reports their sentence. */
const TOLD_WHY: ReadonlySet<number> = new Set([ErrorCode.ERROR_DEVICE_SIGNED_OUT, ErrorCode.ERROR_DEVICE_LIMIT])

const FATAL_CLOSES: ReadonlyMap<number, { code: AppErrorCode; why: FailureReasonName; reason: string }> = new Map([
  [CloseCode.CLOSE_AUTH_FAILED, { code: 'NOT_SIGNED_IN', why: 'signInRefused', reason: 'The server refused this sign-in. Please sign in again.' }],
  [CloseCode.CLOSE_TOKEN_EXPIRED, { code: 'TOKEN_EXPIRED', why: 'sessionExpired', reason: 'Your session has expired. Please sign in again.' }],
  [CloseCode.CLOSE_REPLACED, { code: 'NOT_SIGNED_IN', why: 'sessionReplaced', reason: 'This device was signed in somewhere else, so this session ended.' }],
  [
    CloseCode.CLOSE_SIGNED_OUT,
    { code: 'NOT_SIGNED_IN', why: 'sessionRevoked', reason: 'This sign-in was ended (signed out, or the session was revoked). Please sign in again.' }
  ]
])

/** Why a CLOSE_SIGNED_OUT ended the session, from its close reason (the server names it: SIGNED_OUT_CLOSE_REASONS). */
function signedOutWhy(closeReason: string): FailureReasonName {
  return Object.hasOwn(SIGNED_OUT_CLOSE_REASONS, closeReason) ? SIGNED_OUT_CLOSE_REASONS[closeReason as SignedOutCloseReason] : 'sessionRevoked'
}

export function isFatalClose(closeCode: number): boolean {
  return FATAL_CLOSES.has(closeCode)
}

/** Why the session ended: a code, its params (`reason`, or the told notice's `wire`) and the English sentence for logs. */
export function endedBecause(
  closeCode: number,
  closeReason: string,
  lastNotice: { code: number; message: string } | null
): { code: AppErrorCode; params: AppErrorParams; reason: string } {
  const known = FATAL_CLOSES.get(closeCode) ?? { code: 'DISCONNECTED' as const, why: 'sessionEnded' as const, reason: 'The session ended.' }
  const why = closeCode === CloseCode.CLOSE_SIGNED_OUT ? signedOutWhy(closeReason) : known.why
  // Signed out by another device or by the device limit: the server said why just before closing; say that.
  const told = closeCode === CloseCode.CLOSE_SIGNED_OUT && lastNotice && TOLD_WHY.has(lastNotice.code) ? lastNotice : null
  if (!told) return { code: known.code, params: { reason: why }, reason: known.reason }
  const toldError = new ProtocolError(told.code, told.message)
  return { code: known.code, params: toldError.params ?? {}, reason: toldError.message }
}
