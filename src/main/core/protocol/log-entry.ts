// Owns reading the user's log entries from the wire with their exact bytes: event-carrying frames are read again
// through the raw views (RawEventFrame / RawEventList), and each entry is decoded on its own into a LogEntry.
import $protobuf from 'protobufjs/minimal.js'
import type { ChatMessage, ChatType } from '../../../shared/model'
import { decodeFrame, pb, type DecodedFrame, type DecodeResult } from '../../../shared/proto/codec'
import { canonicalUserId } from '../../../shared/user-id'
import { contentFromBody, extrasFromBody } from './content'
import { recalledContentOf, withMessageState } from './message-ops'
import { chatTypeFromWire, envelopeFromWire, type WireEvent } from './messages'
import type { UserEventKind } from '../store/domain-types'

/** One log entry as it came over the wire: its position (0 when even that is unreadable) and its exact bytes. */
export interface RawLogEvent {
  seq: number
  bytes: Uint8Array
}

/** What this version makes of a log entry. */
export type LogEntry =
  | { kind: 'message'; seq: number; message: ChatMessage; bytes: Uint8Array }
  | { kind: 'readPointer'; seq: number; conversationId: string; chatType: ChatType; readSeq: number; bytes: Uint8Array }
  /**
   * A message this version cannot show (its body has no content type known here): the envelope is known
   * (who, when, which conversation), the body is kept as the entry's bytes and read again after an upgrade.
   */
  | { kind: 'unsupportedMessage'; seq: number; message: ChatMessage; bytes: Uint8Array }
  /** A contact, membership or profile event: applied by the store domain of its kind (store/domains.ts). */
  | { kind: 'userEvent'; seq: number; event: UserEventKind; bytes: Uint8Array }
  /** An entry of a kind this version does not know at all (a new oneof member of Event). */
  | { kind: 'unknown'; seq: number; bytes: Uint8Array }

/** An entry that fails to decode or to map (it is quarantined with its bytes; sync goes on past it). */
export class PoisonEventError extends Error {
  constructor(
    readonly seq: number,
    readonly bytes: Uint8Array,
    reason: string
  ) {
    super(reason)
    this.name = 'PoisonEventError'
  }
}

export type LogEntryDecoder = (raw: RawLogEvent, me: string) => LogEntry

const FIELD_SEQ = 1
const WIRE_VARINT = 0

/** Reads field 1 (seq) of an encoded Event without decoding the rest, so even a broken entry has a position. */
export function peekSeq(bytes: Uint8Array): number {
  try {
    const reader = $protobuf.Reader.create(bytes)
    while (reader.pos < reader.len) {
      const tag = reader.uint32()
      if (tag >>> 3 === FIELD_SEQ && (tag & 7) === WIRE_VARINT) return Number(reader.uint64())
      reader.skipType(tag & 7)
    }
  } catch {
    // unreadable: no position
  }
  return 0
}

function rawList(bytes: Uint8Array | null | undefined): RawLogEvent[] {
  if (!bytes || bytes.length === 0) return []
  return pb.RawEventList.decode(bytes).events.map((event) => ({ seq: peekSeq(event), bytes: event }))
}

/** The entries of a SyncBatch or HistoryPage response frame, each with its exact bytes, in frame order. */
export function rawEventsOfResponse(frameBytes: Uint8Array, field: 'syncBatch' | 'historyPage'): RawLogEvent[] {
  const frame = pb.RawEventFrame.decode(frameBytes)
  return rawList(field === 'syncBatch' ? frame.syncBatch : frame.historyPage)
}

/** Field number of `events` in SyncBatch and HistoryPage (see RawEventList). */
const FIELD_EVENTS = 1

/** The message's bytes without its `events` field: what is left decodes to the same message with no events. */
function withoutEvents(bytes: Uint8Array): Uint8Array {
  const reader = $protobuf.Reader.create(bytes)
  const kept: Uint8Array[] = []
  while (reader.pos < reader.len) {
    const start = reader.pos
    const tag = reader.uint32()
    reader.skipType(tag & 7)
    if (tag >>> 3 !== FIELD_EVENTS) kept.push(bytes.subarray(start, reader.pos))
  }
  return Buffer.concat(kept)
}

/**
 * A SyncBatch or HistoryPage answer decoded without its entries, which the caller reads from the frame's bytes in
 * slices (rawEventsOfResponse): decoding a 500-entry batch whole on arrival held the core's thread for 20-40 ms, to
 * make objects nobody read. Null for every other frame (decode it whole). Throws on bytes that are not a frame.
 */
export function decodeEntriesAnswerLightly(frameBytes: Uint8Array): DecodedFrame | null {
  const raw = pb.RawEventFrame.decode(frameBytes)
  const has = (field: string): boolean => Object.prototype.hasOwnProperty.call(raw, field)
  if (has('syncBatch')) {
    return pb.Frame.create({ id: raw.id, syncBatch: pb.SyncBatch.decode(withoutEvents(raw.syncBatch)) })
  }
  if (has('historyPage')) {
    return pb.Frame.create({ id: raw.id, historyPage: pb.HistoryPage.decode(withoutEvents(raw.historyPage)) })
  }
  return null
}

/** A frame from the server: a sync or history answer without its entries (read from the bytes later), else whole. */
export function decodeServerFrame(frameBytes: Uint8Array): DecodeResult {
  try {
    const light = decodeEntriesAnswerLightly(frameBytes)
    if (light) return { ok: true, frame: light }
  } catch {
    // Not a readable frame: the whole decode below says why.
  }
  return decodeFrame(frameBytes)
}

/** The entry of an `event` push frame with its exact bytes, or null when the frame carries none. */
export function rawEventOfPush(frameBytes: Uint8Array): RawLogEvent | null {
  const bytes = pb.RawEventFrame.decode(frameBytes).event
  if (!bytes || bytes.length === 0) return null
  return { seq: peekSeq(bytes), bytes }
}

/** The entry of a conversation summary (RecentConversations) with its exact bytes. */
export function rawEventOfSummary(event: WireEvent | null | undefined): RawLogEvent | null {
  if (!event) return null
  const bytes = pb.Event.encode(event).finish()
  return { seq: Number(event.seq ?? 0), bytes }
}

/**
 * This version's decoder. Throws PoisonEventError for bytes that are not an Event, an entry without a
 * position, or a message whose envelope is unusable (no client id, no valid sender or recipient).
 */
export function decodeLogEntry(raw: RawLogEvent, me: string): LogEntry {
  let event: ReturnType<typeof pb.Event.decode>
  try {
    event = pb.Event.decode(raw.bytes)
  } catch (err) {
    throw new PoisonEventError(raw.seq, raw.bytes, `not an Event: ${err instanceof Error ? err.message : String(err)}`)
  }
  const seq = Number(event.seq ?? 0)
  if (seq <= 0) throw new PoisonEventError(raw.seq, raw.bytes, 'the entry has no position in the log')
  if (event.kind === 'message' && event.message) {
    const envelope = envelopeFromWire(event.message, seq, me)
    if (!envelope) throw new PoisonEventError(seq, raw.bytes, 'the message has no usable client id, sender or recipient')
    const content = recalledContentOf(event.message) ?? contentFromBody(event.message.body)
    if (content) {
      const message = withMessageState({ ...envelope, ...extrasFromBody(event.message.body), content }, event.message)
      return { kind: 'message', seq, message, bytes: raw.bytes }
    }
    // No content type this version knows: never an empty text; the entry's bytes are the content.
    const unsupported = { type: 'unsupported' as const, raw: Buffer.from(raw.bytes).toString('base64') }
    return { kind: 'unsupportedMessage', seq, message: { ...envelope, content: unsupported }, bytes: raw.bytes }
  }
  if (event.kind === 'readPointer' && event.readPointer) {
    const pointer = event.readPointer
    const chatType = chatTypeFromWire(pointer.chatType)
    const conversationId = chatType === 'single' ? canonicalUserId(pointer.conversation) : (pointer.conversation ?? '')
    if (!conversationId) throw new PoisonEventError(seq, raw.bytes, 'the read pointer names no valid conversation')
    return { kind: 'readPointer', seq, conversationId, chatType, readSeq: Number(pointer.seq ?? 0), bytes: raw.bytes }
  }
  if ((event.kind === 'contact' && event.contact) || (event.kind === 'membership' && event.membership) || (event.kind === 'profile' && event.profile) ||
    (event.kind === 'receipt' && event.receipt) || (event.kind === 'privacy' && event.privacy)) {
    return { kind: 'userEvent', seq, event: event.kind, bytes: raw.bytes }
  }
  // Recall, edit, self-destruct and clearing on another device: applied by store/message-ops.
  if (
    (event.kind === 'messageChange' && event.messageChange) ||
    (event.kind === 'conversationSettings' && event.conversationSettings) ||
    (event.kind === 'conversationCleared' && event.conversationCleared)
  ) {
    return { kind: 'userEvent', seq, event: event.kind, bytes: raw.bytes }
  }
  // Reactions, one-to-one pins, conversation state and device changes (store/reactions applies them).
  if (
    (event.kind === 'reaction' && event.reaction) ||
    (event.kind === 'messagePin' && event.messagePin) ||
    (event.kind === 'conversationState' && event.conversationState) ||
    (event.kind === 'devicesChanged' && event.devicesChanged)
  ) {
    return { kind: 'userEvent', seq, event: event.kind, bytes: raw.bytes }
  }
  return { kind: 'unknown', seq, bytes: raw.bytes }
}

/**
 * For MessageStore.reinterpretUnsupported: the stored bytes of an entry kept raw, read again with `decode`;
 * a message this version can show, or null (still unsupported, or not a message).
 */
export function messageDecoder(me: string, decode: LogEntryDecoder = decodeLogEntry): (raw: Uint8Array) => ChatMessage | null {
  return (raw) => {
    try {
      const entry = decode({ seq: peekSeq(raw), bytes: raw }, me)
      return entry.kind === 'message' ? entry.message : null
    } catch {
      return null
    }
  }
}
