// A wire error keeps what the renderer needs to say it in the user's language: the wire code's name (several wire
// codes share one AppErrorCode) and the server's retry-after in seconds, in params that survive the trip over IPC.
import { describe, expect, it } from 'vitest'
import { AppError } from '../../src/shared/errors'
import { ErrorCode } from '../../src/shared/proto/codec'
import { ProtocolError } from '../../src/main/core/protocol/errors'

describe('ProtocolError params', () => {
  it('carries the wire code name and the retry-after through JSON', () => {
    const mutedAll = AppError.from(JSON.parse(JSON.stringify(new ProtocolError(ErrorCode.ERROR_MUTED_ALL, 'Only admins may post.'))))
    expect(mutedAll.code).toBe('MUTED')
    expect(mutedAll.params).toEqual({ wire: 'ERROR_MUTED_ALL' })
    const limited = AppError.from(JSON.parse(JSON.stringify(new ProtocolError(ErrorCode.ERROR_RATE_LIMITED, 'slow down', 4_500))))
    expect(limited.params).toEqual({ wire: 'ERROR_RATE_LIMITED', retryAfterSec: 5 })
  })

  it('leaves the wire name out for a code from a newer server', () => {
    expect(new ProtocolError(999 as ErrorCode, 'new').params).toEqual({})
  })
})
