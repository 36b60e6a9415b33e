import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { decodeFrame, encodeFrame, clientIdToHex, hexToClientId, ErrorCode } from '../../src/shared/proto/codec'

describe('frame codec', () => {
  it('round-trips a send request with a 16-byte client id', () => {
    const clientId = randomBytes(16)
    const bytes = encodeFrame({ id: 42, send: { clientId, to: 'bob', body: { text: { text: 'hello 👋' } } } })
    const decoded = decodeFrame(bytes)
    expect(decoded.ok).toBe(true)
    if (!decoded.ok) return
    expect(decoded.frame.id).toBe(42)
    expect(decoded.frame.body).toBe('send')
    expect(clientIdToHex(decoded.frame.send!.clientId!)).toBe(clientId.toString('hex'))
    expect(decoded.frame.send!.body!.text!.text).toBe('hello 👋')
  })

  it('decodes 64-bit fields as plain numbers', () => {
    const bytes = encodeFrame({ event: { seq: 2 ** 40 + 7, message: { serverId: 2 ** 52 - 1, timestamp: 1_790_000_000_123, from: 'a', to: 'b' } } })
    const decoded = decodeFrame(bytes)
    if (!decoded.ok) throw new Error(decoded.reason)
    expect(decoded.frame.event!.seq).toBe(2 ** 40 + 7)
    expect(decoded.frame.event!.message!.serverId).toBe(2 ** 52 - 1)
    expect(decoded.frame.event!.message!.timestamp).toBe(1_790_000_000_123)
  })

  it('round-trips an error frame', () => {
    const decoded = decodeFrame(encodeFrame({ id: 3, error: { code: ErrorCode.ERROR_TEXT_TOO_LONG, message: 'too long' } }))
    if (!decoded.ok) throw new Error(decoded.reason)
    expect(decoded.frame.error!.code).toBe(ErrorCode.ERROR_TEXT_TOO_LONG)
  })

  it('reports malformed bytes instead of throwing', () => {
    const decoded = decodeFrame(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))
    expect(decoded.ok).toBe(false)
  })

  it('converts client ids between bytes and hex', () => {
    const hex = '00ff'.repeat(8)
    expect(clientIdToHex(hexToClientId(hex))).toBe(hex)
  })
})
