// Time-ordered client message ids (UUIDv7-like): 16 bytes = 48-bit Unix ms timestamp, big-endian, then 80 bits
// that start with a per-process counter. Ids made later sort later, so they append to the store's id index.
import { randomBytes } from 'node:crypto'
import { clientIdToHex } from '../../shared/proto/codec'

export const MESSAGE_ID_BYTES = 16
const TIMESTAMP_BYTES = 6
/**
 * The 80 bits after the timestamp: a 32-bit counter (random start each millisecond, +1 per id within it) and
 * 48 random bits. The random start keeps two devices from walking the same counter values; the random tail
 * keeps ids unique across devices that create ids in the same millisecond.
 */
const COUNTER_OFFSET = TIMESTAMP_BYTES
const RANDOM_OFFSET = COUNTER_OFFSET + 4
/** Start the counter in the lower half so ~2 billion ids fit in one millisecond before it would wrap. */
const COUNTER_START_MASK = 0x7fff_ffff
const COUNTER_MAX = 0xffff_ffff
/** Random bytes fetched at once: crypto calls are the cost of an id, so buffer them. */
const RANDOM_POOL_BYTES = 4096

let lastMs = -1
let counter = 0
let pool = Buffer.alloc(0)
let poolOffset = 0

function randomSlice(length: number): Buffer {
  if (poolOffset + length > pool.length) {
    pool = randomBytes(RANDOM_POOL_BYTES)
    poolOffset = 0
  }
  const slice = pool.subarray(poolOffset, poolOffset + length)
  poolOffset += length
  return slice
}

/**
 * A new 16-byte id, strictly greater (bytewise) than every id this process made before, even if the clock
 * steps back: the timestamp never goes below the last one used, and the counter carries into it when full.
 */
export function newMessageId(nowMs: number = Date.now()): Uint8Array {
  if (nowMs > lastMs) {
    lastMs = nowMs
    counter = randomSlice(4).readUInt32BE(0) & COUNTER_START_MASK
  } else if (counter >= COUNTER_MAX) {
    // A full millisecond's counter borrows the next millisecond, keeping the order.
    lastMs += 1
    counter = randomSlice(4).readUInt32BE(0) & COUNTER_START_MASK
  } else {
    counter += 1
  }
  const tail = Buffer.alloc(MESSAGE_ID_BYTES - TIMESTAMP_BYTES)
  tail.writeUInt32BE(counter, 0)
  randomSlice(MESSAGE_ID_BYTES - RANDOM_OFFSET).copy(tail, RANDOM_OFFSET - TIMESTAMP_BYTES)
  return messageIdFromParts(lastMs, tail)
}

/**
 * The layout on its own: `timestampMs` (48 bits, big-endian) followed by the 10 bytes of `tail`. newMessageId
 * fills the tail with its counter and random bits; tools that model other devices' ids fill it themselves.
 */
export function messageIdFromParts(timestampMs: number, tail: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(timestampMs) || timestampMs < 0 || timestampMs >= 2 ** 48) {
    throw new RangeError('A message id timestamp must be a whole number of milliseconds that fits in 48 bits.')
  }
  if (tail.length !== MESSAGE_ID_BYTES - TIMESTAMP_BYTES) throw new RangeError('A message id tail is 10 bytes.')
  const id = new Uint8Array(MESSAGE_ID_BYTES)
  Buffer.from(id.buffer).writeUIntBE(timestampMs, 0, TIMESTAMP_BYTES)
  id.set(tail, TIMESTAMP_BYTES)
  return id
}

/** The codec owns the hex form of a client id; re-exported under this module's name. */
export const messageIdToHex = clientIdToHex

/** The same as a 32-digit lowercase hex string (the form the store and ChatMessage.id use). */
export function newMessageIdHex(nowMs?: number): string {
  return messageIdToHex(newMessageId(nowMs))
}

/** The creation time (Unix ms) encoded in an id made by newMessageId. */
export function messageIdTimestamp(id: Uint8Array): number {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).readUIntBE(0, TIMESTAMP_BYTES)
}
