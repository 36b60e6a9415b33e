// Unit tests for time-ordered message ids: 16 bytes, timestamp prefix, strictly increasing within a process
// (also when the clock stands still or steps back), unique, and the hex form the store uses.
import { describe, expect, it } from 'vitest'
import { messageIdFromParts, messageIdTimestamp, messageIdToHex, newMessageId, newMessageIdHex } from '../../src/main/core/message-id'

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

describe('newMessageId', () => {
  it('is 16 bytes that start with the creation time in ms, big-endian', () => {
    const before = Date.now()
    const id = newMessageId()
    const after = Date.now()
    expect(id).toBeInstanceOf(Uint8Array)
    expect(id.length).toBe(16)
    expect(messageIdTimestamp(id)).toBeGreaterThanOrEqual(before)
    expect(messageIdTimestamp(id)).toBeLessThanOrEqual(after)
    let fromBytes = 0
    for (const byte of id.subarray(0, 6)) fromBytes = fromBytes * 256 + byte
    expect(fromBytes).toBe(messageIdTimestamp(id))
  })

  it('makes 100k unique ids, each greater than the one before', () => {
    const ids = Array.from({ length: 100_000 }, () => newMessageId())
    for (let i = 1; i < ids.length; i++) expect(compareBytes(ids[i]!, ids[i - 1]!)).toBe(1)
    expect(new Set(ids.map(messageIdToHex)).size).toBe(ids.length)
  })

  it('stays increasing when the clock stands still or steps back', () => {
    const start = Date.now() + 10_000_000
    const first = newMessageId(start)
    const same = newMessageId(start)
    const earlier = newMessageId(start - 60_000)
    expect(compareBytes(same, first)).toBe(1)
    expect(compareBytes(earlier, same)).toBe(1)
    // The timestamp never goes below the last one used.
    expect(messageIdTimestamp(earlier)).toBe(start)
  })

  it('sorts as hex the same way as bytes', () => {
    const ids = Array.from({ length: 1_000 }, () => newMessageIdHex())
    expect(ids.every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true)
    expect([...ids].sort()).toEqual(ids)
  })
})

describe('messageIdFromParts', () => {
  it('puts the timestamp before the 10-byte tail', () => {
    const id = messageIdFromParts(0x0123_4567_89ab, new Uint8Array(10).fill(0xff))
    expect([...id.subarray(0, 6)]).toEqual([0x01, 0x23, 0x45, 0x67, 0x89, 0xab])
    expect(messageIdTimestamp(id)).toBe(0x0123_4567_89ab)
    expect(messageIdToHex(id).slice(12)).toBe('ff'.repeat(10))
  })

  it('refuses timestamps that do not fit and tails of the wrong size', () => {
    expect(() => messageIdFromParts(-1, new Uint8Array(10))).toThrow(RangeError)
    expect(() => messageIdFromParts(2 ** 48, new Uint8Array(10))).toThrow(RangeError)
    expect(() => messageIdFromParts(1.5, new Uint8Array(10))).toThrow(RangeError)
    expect(() => messageIdFromParts(0, new Uint8Array(9))).toThrow(RangeError)
  })
})
