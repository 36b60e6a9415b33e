// What a node remembers of the logs it serves (cluster/log-tracker.ts) and the bus notice format (cluster/wire.ts):
// a re-check pushes exactly what was not pushed, and a live push after a re-check is not sent twice.
import { describe, expect, it } from 'vitest'
import { encodeFrame } from '../../src/shared/proto/codec'
import { LogTracker, MAX_SEQS_ABOVE_FLOOR } from '../../src/server/cluster/log-tracker'
import { decodeNotice, encodeNotice, frameLogSeq } from '../../src/server/cluster/wire'

describe('LogTracker', () => {
  it('knows what is missing above the head it started from, out-of-order pushes included', () => {
    const tracker = new LogTracker()
    tracker.pushed(12)
    expect(tracker.floorKnown).toBe(false)
    expect(tracker.isMissing(11)).toBe(false)
    tracker.startAt(10)
    expect(tracker.safeFloor).toBe(10)
    expect([11, 12, 13].map((seq) => tracker.isMissing(seq))).toEqual([true, false, true])
    tracker.pushed(11)
    expect(tracker.safeFloor).toBe(12)
    tracker.pushed(15)
    expect([13, 14, 15, 16].map((seq) => tracker.isMissing(seq))).toEqual([true, true, false, true])
    tracker.raiseFloor(16)
    expect(tracker.safeFloor).toBe(16)
  })

  it('skips a live push a re-check already made, never one at or below the starting head', () => {
    const tracker = new LogTracker()
    tracker.startAt(5)
    expect(tracker.alreadyPushed(5)).toBe(false)
    expect(tracker.alreadyPushed(6)).toBe(false)
    tracker.pushed(7)
    expect(tracker.alreadyPushed(7)).toBe(true)
    tracker.raiseFloor(9)
    expect(tracker.alreadyPushed(8)).toBe(true)
    expect(tracker.alreadyPushed(10)).toBe(false)
  })

  it('keeps a bounded number of seqs above a floor that does not move', () => {
    const tracker = new LogTracker()
    tracker.startAt(0)
    for (let seq = 2; seq <= MAX_SEQS_ABOVE_FLOOR + 2; seq++) tracker.pushed(seq)
    expect(tracker.safeFloor).toBe(MAX_SEQS_ABOVE_FLOOR + 2)
  })
})

describe('bus notices', () => {
  it('round-trips a frame notice with its seq, and reads the seq of event and group frames', () => {
    const frame = encodeFrame({ id: 0, event: { seq: 42, readPointer: { conversation: 'bob', chatType: 1, seq: 3 } } })
    expect(frameLogSeq(frame)).toBe(42)
    expect(frameLogSeq(encodeFrame({ id: 0, groupEntry: { group: 'g', seq: 7 } }))).toBe(7)
    expect(frameLogSeq(encodeFrame({ id: 0, typingNotice: { conversation: 'bob' } }))).toBe(0)
    const decoded = decodeNotice(Buffer.from(encodeNotice({ kind: 'frame', seq: 42 }, frame)))
    expect(decoded?.notice).toEqual({ kind: 'frame', seq: 42 })
    expect(Buffer.from(decoded?.frame ?? []).equals(Buffer.from(frame))).toBe(true)
  })

  it('ignores bytes that are not a notice', () => {
    expect(decodeNotice(Buffer.from([0, 0]))).toBeNull()
    expect(decodeNotice(Buffer.from([0, 0, 0, 9, 1]))).toBeNull()
    expect(decodeNotice(Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from('{x}')]))).toBeNull()
  })
})
