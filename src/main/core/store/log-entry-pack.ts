// Owns how a chunk of raw log entries crosses to the store's thread: their bytes one after another in ONE buffer,
// with where each ends and its seq (three typed arrays to clone, not a thousand small ones), and reading that back.
import type { RawLogEvent } from '../protocol/log-entry'
import { StoreError } from './errors'
import type { PackedLogEntries } from './types'

/** Entries one pack may carry: far above a catch-up chunk (STORE_APPLY_CHUNK), so one call cannot be unbounded. */
export const MAX_PACKED_ENTRIES = 100_000

/** The entries' bytes copied into one fresh buffer (its own, offset 0: it crosses as it is), with ends and seqs. */
export function packLogEntries(events: readonly RawLogEvent[]): PackedLogEntries {
  let total = 0
  for (const event of events) total += event.bytes.byteLength
  const bytes = new Uint8Array(total)
  const ends = new Uint32Array(events.length)
  const seqs = new Float64Array(events.length)
  let at = 0
  events.forEach((event, index) => {
    bytes.set(event.bytes, at)
    at += event.bytes.byteLength
    ends[index] = at
    seqs[index] = event.seq
  })
  return { bytes, ends, seqs }
}

function malformed(detail: string): StoreError {
  return new StoreError('STORE_BAD_ARGUMENT', `The received log entries are not a valid pack: ${detail}.`)
}

/**
 * The entries of a pack, each a view into its buffer (no copy). Anything that is not exactly what packLogEntries
 * makes (wrong types, lengths that differ, ends that go back or past the bytes, seqs that are not positions) is a
 * StoreError STORE_BAD_ARGUMENT, never a crash.
 */
export function unpackLogEntries(pack: unknown): RawLogEvent[] {
  if (typeof pack !== 'object' || pack === null) throw malformed('not an object')
  const { bytes, ends, seqs } = pack as Partial<Record<keyof PackedLogEntries, unknown>>
  if (!(bytes instanceof Uint8Array)) throw malformed('the bytes are not a Uint8Array')
  if (!(ends instanceof Uint32Array)) throw malformed('the ends are not a Uint32Array')
  if (!(seqs instanceof Float64Array)) throw malformed('the seqs are not a Float64Array')
  if (ends.length !== seqs.length) throw malformed(`${ends.length} ends for ${seqs.length} seqs`)
  if (ends.length > MAX_PACKED_ENTRIES) throw malformed(`${ends.length} entries (at most ${MAX_PACKED_ENTRIES})`)
  const events: RawLogEvent[] = new Array<RawLogEvent>(ends.length)
  let start = 0
  for (let index = 0; index < ends.length; index++) {
    const end = ends[index]!
    const seq = seqs[index]!
    if (end < start) throw malformed(`entry ${index} ends before it starts`)
    if (end > bytes.byteLength) throw malformed(`entry ${index} ends past the bytes`)
    if (!Number.isSafeInteger(seq) || seq < 0) throw malformed(`entry ${index} has no valid seq`)
    events[index] = { seq, bytes: bytes.subarray(start, end) }
    start = end
  }
  if (start !== bytes.byteLength) throw malformed('bytes are left after the last entry')
  return events
}
