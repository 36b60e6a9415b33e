// The client's reading of the attachment error codes (32-34): a typed code, a sentence for the user, and a
// permanent failure for the message (no resend can make the server accept it).
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/shared/proto/codec'
import { isPermanentSendError, ProtocolError } from '../../src/main/core/protocol/errors'

describe('attachment error codes', () => {
  it.each([
    [ErrorCode.ERROR_ATTACHMENT_NOT_FOUND, 'NOT_FOUND', /no longer on the server/],
    [ErrorCode.ERROR_ATTACHMENT_FORBIDDEN, 'FORBIDDEN', /not shared with you/],
    [ErrorCode.ERROR_TOO_LARGE, 'LIMIT_EXCEEDED', /too large/]
  ])('wire code %i reads as %s with a sentence, and fails the message for good', (wire, code, sentence) => {
    const error = new ProtocolError(wire, 'server detail')
    expect(error.code).toBe(code)
    expect(error.message).toMatch(sentence)
    expect(error.message).not.toContain('server detail')
    expect(isPermanentSendError(error)).toBe(true)
  })
})
