// Owns how the attachment service answers: a value, or a refusal in HTTP terms (status, code, sentence, and the
// Upload-Offset to resume from). The routes (api/attachments.ts) send a refusal as {code, message}.

/** A refusal, in HTTP terms (the routes send it as {code, message}); `offset` rides along as Upload-Offset. */
export interface AttachmentFailure {
  ok: false
  status: number
  code: string
  message: string
  offset?: number
}
export type AttachmentResult<T> = { ok: true; value: T } | AttachmentFailure

export function fail(status: number, code: string, message: string, offset?: number): AttachmentFailure {
  return offset === undefined ? { ok: false, status, code, message } : { ok: false, status, code, message, offset }
}

export const uploadNotFound = (): AttachmentFailure => fail(404, 'NOT_FOUND', 'There is no such upload (it was finished, cancelled or abandoned).')
export const attachmentNotFound = (): AttachmentFailure => fail(404, 'NOT_FOUND', 'There is no such attachment.')
