// Owns the attachments module's errors: an AppError that also says whether a retry can fix it (the outbox fails
// a message at once on a permanent one), and the sentences for the HTTP answers of the attachment routes.
import { AppError, type AppErrorCode, type AppErrorParams } from '../../../shared/errors'

export class TransferError extends AppError {
  /** No retry can fix it (too large, forbidden, canceled, checksum): the message or download fails now. */
  readonly permanent: boolean
  constructor(code: AppErrorCode, message: string, permanent: boolean, options?: { cause?: unknown; params?: AppErrorParams }) {
    super(code, message, options)
    this.name = 'TransferError'
    this.permanent = permanent
  }
}

export const CANCELED_SENTENCE = 'The transfer was canceled.'
export const UPLOAD_CANCELED_SENTENCE = 'Upload canceled.'
export const CHECKSUM_SENTENCE = 'The downloaded file did not match its checksum, so it was deleted. Try again.'
export const STAGED_MISSING_SENTENCE = 'The file to send is no longer on this device. Attach it again.'

export function canceledError(): TransferError {
  return new TransferError('CANCELED', CANCELED_SENTENCE, true)
}

export function isPermanentTransferError(err: unknown): boolean {
  return err instanceof TransferError && err.permanent
}

/** An HTTP answer of the attachment routes as an error: permanent when retrying the same request cannot help. */
export function httpError(status: number, serverMessage: string, what: 'upload' | 'download'): TransferError {
  const detail = serverMessage ? ` (${serverMessage.slice(0, 200)})` : ''
  switch (status) {
    case 401:
      return new TransferError('NOT_SIGNED_IN', 'The server did not accept this sign-in for the file; trying again after reconnecting.', false)
    case 403:
      return new TransferError('FORBIDDEN', `You are not allowed to ${what} this file.`, true)
    case 404:
      return new TransferError('NOT_FOUND', what === 'upload' ? 'The server no longer has this upload.' : 'The server no longer has this file.', what === 'download')
    case 413:
      return new TransferError('TOO_LARGE', `This file is too large to send${detail}.`, true)
    case 422:
      return new TransferError('CHECKSUM_MISMATCH', 'The server received different bytes than this device sent.', true)
    default:
      return new TransferError('SERVER_ERROR', `The server could not ${what} the file right now (HTTP ${status}).`, status < 500 && status !== 408 && status !== 429)
  }
}

export function networkError(err: unknown): TransferError {
  return new TransferError('DISCONNECTED', 'The connection to the server dropped during the transfer.', false, { cause: err })
}
