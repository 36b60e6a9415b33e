// The syncer (the outbox's counterpart for incoming log entries) with a real in-memory store and a scripted
// server log of encoded entries: batches, gaps, pushes during catch-up, own acks, cursor persistence, expired
// cursors, the new-device start, poison entries, entries from a newer version, read pointers.
import { randomBytes } from 'node:crypto'
import $protobuf from 'protobufjs/minimal.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ProtocolError } from '../../src/main/core/protocol/errors'
import { decodeLogEntry, messageDecoder, type LogEntryDecoder, type RawLogEvent } from '../../src/main/core/protocol/log-entry'
import type { WireEvent } from '../../src/main/core/protocol/messages'
import { openMessageStore } from '../../src/main/core/store'
import type { MessageStore } from '../../src/main/core/store/types'
import type { RecentPage, RecentSummary } from '../../src/main/core/sync/recent'
import { Syncer } from '../../src/main/core/sync/syncer'
import { conversationKey } from '../../src/shared/model'
import { ErrorCode, pb } from '../../src/shared/proto/codec'
import { wireMessage } from './store-helpers'

const ME = 'alice'
const PEER = 'bob'
const BOB = conversationKey('single', PEER)

function encoded(event: WireEvent): RawLogEvent {
  return { seq: Number(event.seq), bytes: pb.Event.encode(event).finish() }
}

/** Field numbers of a future version: a Body content type and an Event kind this version does not know. */
const FUTURE_BODY_FIELD = 19
const FUTURE_EVENT_FIELD = 4
const LENGTH_DELIMITED = 2

/** A message entry whose Body carries only a content type from the future (field 9: a "sticker" name). */
function futureMessageEntry(seq: number, sticker: string): RawLogEvent {
  const body = $protobuf.Writer.create().uint32((FUTURE_BODY_FIELD << 3) | LENGTH_DELIMITED).string(sticker).finish()
  const envelope = pb.Message.encode({
    serverId: 500 + seq,
    clientId: randomBytes(16),
    from: PEER,
    to: ME,
    timestamp: 1_700_000_000_000 + seq
  }).finish()
  const messageBytes = Buffer.concat([
    envelope,
    $protobuf.Writer.create().uint32((7 << 3) | LENGTH_DELIMITED).bytes(body).finish()
  ])
  const bytes = $protobuf.Writer.create().uint32((1 << 3) | 0).uint64(seq).uint32((2 << 3) | LENGTH_DELIMITED).bytes(messageBytes).finish()
  return { seq, bytes }
}

/** An entry of a kind from the future (Event field 4). */
function futureKindEntry(seq: number): RawLogEvent {
  const payload = $protobuf.Writer.create().uint32((1 << 3) | LENGTH_DELIMITED).string('reaction').finish()
  const bytes = $protobuf.Writer.create().uint32((1 << 3) | 0).uint64(seq).uint32((FUTURE_EVENT_FIELD << 3) | LENGTH_DELIMITED).bytes(payload).finish()
  return { seq, bytes }
}

/** A "newer" decoder: knows the sticker content type (Body field 9) and shows it as text. */
const newerDecoder: LogEntryDecoder = (raw, me) => {
  const entry = decodeLogEntry(raw, me)
  if (entry.kind !== 'unsupportedMessage') return entry
  const sticker = findString($protobuf.Reader.create(raw.bytes), [2, 7, FUTURE_BODY_FIELD])
  return { kind: 'message', seq: entry.seq, bytes: entry.bytes, message: { ...entry.message, content: { type: 'text', text: `[sticker ${sticker}]` } } }
}

/** Follows nested length-delimited fields by number and returns the innermost one as a string. */
function findString(reader: $protobuf.Reader, path: number[]): string {
  let current = reader
  for (let i = 0; i < path.length; i++) {
    let found: Uint8Array | null = null
    while (current.pos < current.len) {
      const tag = current.uint32()
      if (tag >>> 3 === path[i] && (tag & 7) === LENGTH_DELIMITED) {
        found = current.bytes()
        break
      }
      current.skipType(tag & 7)
    }
    if (!found) return ''
    if (i === path.length - 1) return Buffer.from(found).toString('utf8')
    current = $protobuf.Reader.create(found)
  }
  return ''
}

/** alice's log on the "server": entry n is a message with seq n; odd ones from bob, even ones from alice. */
function logEntry(seq: number): RawLogEvent {
  return encoded(wireEntry(seq))
}

function wireEntry(seq: number): WireEvent {
  return wireMessage(seq, PEER, { text: { text: `entry ${seq}` } }, seq % 2 === 0)
}

describe('syncer', () => {
  let store: MessageStore
  /** The "server's" log: entry n has seq n (index n - 1). */
  let log: RawLogEvent[]
  let requests: Array<{ afterSeq: number; limit: number }>
  let recentRequests: number
  let recent: { summaries: RecentSummary[]; headSeq: number }
  let gate: Promise<void> | null
  let gateAfterSeq = -1
  let expireCursorOnce: boolean
  let syncer: Syncer

  let applied: number
  let failFetchAfterSeq: number | null

  function makeSyncer(batchSize = 10, applyChunk?: number, decode?: LogEntryDecoder): Syncer {
    return new Syncer({
      store,
      me: ME,
      batchSize,
      ...(applyChunk ? { applyChunk } : {}),
      ...(decode ? { decode } : {}),
      activeConversation: () => null,
      onApplied: () => {
        applied += 1
      },
      fetchRecent: async (): Promise<RecentPage> => {
        recentRequests += 1
        return { conversations: recent.summaries, hasMore: false, headSeq: recent.headSeq, next: null }
      },
      fetchBatch: async (afterSeq, limit) => {
        requests.push({ afterSeq, limit })
        if (failFetchAfterSeq !== null && afterSeq >= failFetchAfterSeq) throw new Error('link dropped')
        if (expireCursorOnce && afterSeq > 0) {
          expireCursorOnce = false
          throw new ProtocolError(ErrorCode.ERROR_CURSOR_EXPIRED, 'too old')
        }
        const events = log.filter((e) => e.seq > afterSeq).slice(0, limit)
        const last = events.at(-1)
        const hasMore = last !== undefined && last.seq < log.length
        // The answer is fixed before the gate: entries added while it is held arrive only as pushes.
        if (gate && afterSeq === gateAfterSeq) await gate
        return { events, hasMore, headSeq: log.length }
      }
    })
  }

  beforeEach(async () => {
    store = await openMessageStore(':memory:')
    log = []
    requests = []
    recentRequests = 0
    // An empty account by default: the new-device start finds nothing and sync begins at 0.
    recent = { summaries: [], headSeq: 0 }
    gate = null
    expireCursorOnce = false
    applied = 0
    failFetchAfterSeq = null
    syncer = makeSyncer()
    await syncer.init()
  })

  afterEach(async () => {
    await store.close()
  })

  async function settled(): Promise<void> {
    // Every syncer operation is chained; a catch-up queued last resolves after all earlier ones.
    await syncer.catchUp()
  }

  async function storedSeqs(): Promise<number[]> {
    const page = await store.page(BOB, null, 1_000)
    return page.messages.map((m) => m.seq ?? -1)
  }

  it('catches up in batches until the server has no more, and stores the cursor', async () => {
    for (let seq = 1; seq <= 35; seq++) log.push(logEntry(seq))
    await syncer.catchUp()
    expect(requests.map((r) => r.afterSeq)).toEqual([0, 10, 20, 30])
    expect(await storedSeqs()).toEqual(Array.from({ length: 35 }, (_, i) => i + 1))
    expect(await store.getCursor()).toBe(35)
    expect(syncer.currentCursor).toBe(35)
    const page = await store.page(BOB, null, 2)
    // seq 34 is alice's own (sent from another device), 35 is bob's.
    expect(page.messages.map((m) => [m.seq, m.direction, m.status, m.conversationId])).toEqual([
      [34, 'out', 'sent', PEER],
      [35, 'in', 'received', PEER]
    ])
  })

  it('applies several fetched batches in one store transaction, and keeps what arrived when the link drops', async () => {
    for (let seq = 1; seq <= 60; seq++) log.push(logEntry(seq))
    syncer = makeSyncer(10, 25)
    await syncer.init()
    await syncer.catchUp()
    expect(requests.map((r) => r.afterSeq)).toEqual([0, 10, 20, 30, 40, 50])
    expect(applied).toBe(2) // 30 events (chunk reached), then the last 30
    expect(syncer.currentCursor).toBe(60)
    expect(await storedSeqs()).toHaveLength(60)

    for (let seq = 61; seq <= 100; seq++) log.push(logEntry(seq))
    failFetchAfterSeq = 80
    await expect(syncer.catchUp()).rejects.toThrow()
    expect(syncer.currentCursor).toBe(80)
    expect(await store.getCursor()).toBe(80)
  })

  it('applies an in-order push directly and a push after a gap by catching up', async () => {
    for (let seq = 1; seq <= 3; seq++) log.push(logEntry(seq))
    await syncer.catchUp()
    requests = []
    log.push(logEntry(4))
    syncer.onPush(logEntry(4))
    await settled()
    expect(requests.map((r) => r.afterSeq)).toEqual([4]) // only the settle() call
    requests = []
    log.push(logEntry(5), logEntry(6), logEntry(7))
    syncer.onPush(log[6]!) // seq 7 while 5 and 6 were never pushed
    await settled()
    expect(requests[0]!.afterSeq).toBe(4)
    expect(await storedSeqs()).toEqual([1, 2, 3, 4, 5, 6, 7])
  })

  it('does not lose pushes that arrive while a catch-up is running, nor store them twice', async () => {
    for (let seq = 1; seq <= 25; seq++) log.push(logEntry(seq))
    let open: () => void = () => undefined
    gate = new Promise<void>((resolve) => (open = resolve))
    gateAfterSeq = 20 // hold the last batch (21..25) on its way back
    const catchingUp = syncer.catchUp()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(requests.at(-1)?.afterSeq).toBe(20)
    log.push(logEntry(26), logEntry(27))
    syncer.onPush(log[25]!)
    syncer.onPush(log[26]!)
    gate = null
    open()
    await catchingUp
    await settled()
    const seqs = await storedSeqs()
    expect(seqs).toEqual(Array.from({ length: 27 }, (_, i) => i + 1))
    expect(await store.getCursor()).toBe(27)
  })

  it("this device's own acked sends are not gaps", async () => {
    log.push(logEntry(1))
    await syncer.catchUp()
    requests = []
    syncer.noteOwnAck(2) // our own send, acked with seq 2 (the server does not push it back to us)
    log.push(logEntry(2), logEntry(3))
    syncer.onPush(log[2]!)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(requests).toEqual([])
    expect(syncer.currentCursor).toBe(3)
    expect(await store.getCursor()).toBe(3)
  })

  it('resumes from the stored cursor after a restart', async () => {
    for (let seq = 1; seq <= 12; seq++) log.push(logEntry(seq))
    await syncer.catchUp()
    for (let seq = 13; seq <= 15; seq++) log.push(logEntry(seq))
    requests = []
    const restarted = makeSyncer()
    await restarted.init()
    await restarted.catchUp()
    expect(requests[0]!.afterSeq).toBe(12)
    expect(await storedSeqs()).toHaveLength(15)
  })

  it('an expired cursor starts again from the conversation list and the log head, not from 0', async () => {
    for (let seq = 1; seq <= 5; seq++) log.push(logEntry(seq))
    await syncer.catchUp()
    for (let seq = 6; seq <= 9; seq++) log.push(logEntry(seq))
    recent = { summaries: [{ conversationId: PEER, chatType: 'single', last: logEntry(9), readSeq: 5, unread: 2 }], headSeq: 9 }
    expireCursorOnce = true
    requests = []
    recentRequests = 0
    await syncer.catchUp()
    expect(requests.map((r) => r.afterSeq)).toEqual([5, 9])
    expect(recentRequests).toBe(1)
    expect(syncer.currentCursor).toBe(9)
    expect(await storedSeqs()).toEqual([1, 2, 3, 4, 5, 9])
    expect((await store.getConversation(BOB))?.readSeq).toBe(5)
  })

  it('a server that keeps calling the cursor expired fails the catch-up (retried with backoff) instead of spinning', async () => {
    for (let seq = 1; seq <= 5; seq++) log.push(logEntry(seq))
    await syncer.catchUp()
    recent = { summaries: [], headSeq: 5 }
    syncer = new Syncer({
      store,
      me: ME,
      activeConversation: () => null,
      onApplied: () => undefined,
      fetchRecent: async () => {
        recentRequests += 1
        return { conversations: [], hasMore: false, headSeq: 5, next: null }
      },
      fetchBatch: async () => {
        requests.push({ afterSeq: -1, limit: 0 })
        throw new ProtocolError(ErrorCode.ERROR_CURSOR_EXPIRED, 'always')
      }
    })
    await syncer.init()
    requests = []
    recentRequests = 0
    await expect(syncer.catchUp()).rejects.toMatchObject({ code: 'SERVER_ERROR' })
    expect(requests).toHaveLength(2)
    expect(recentRequests).toBe(1)
  })

  it('a new device starts from the conversation list: one page of summaries, then only the log after its head', async () => {
    for (let seq = 1; seq <= 5_000; seq++) log.push(logEntry(seq))
    recent = {
      summaries: [
        { conversationId: 'bob', chatType: 'single', last: logEntry(4_999), readSeq: 4_000, unread: 500 },
        { conversationId: 'carol', chatType: 'single', last: null, readSeq: 0, unread: 0 }
      ],
      headSeq: 5_000
    }
    await syncer.catchUp()
    expect(recentRequests).toBe(1)
    expect(requests.map((r) => r.afterSeq)).toEqual([5_000])
    expect(syncer.currentCursor).toBe(5_000)
    expect(await store.getCursor()).toBe(5_000)
    const bob = await store.getConversation(BOB)
    expect(bob).toMatchObject({ id: PEER, readSeq: 4_000, unreadCount: 500 })
    expect(bob?.lastMessage?.seq).toBe(4_999)
  })

  it('a device that started on an empty log syncs the whole log later, even after a restart, and never starts from the list again', async () => {
    // First connect: nothing written yet, so the start from the conversation list finds nothing (cursor 0).
    await syncer.catchUp()
    expect(recentRequests).toBe(1)
    // Traffic starts; this device misses it (the link dropped), and its cursor is still 0.
    for (let seq = 1; seq <= 12; seq++) log.push(logEntry(seq))
    recent = {
      summaries: [{ conversationId: 'bob', chatType: 'single', last: logEntry(12), readSeq: 0, unread: 6 }],
      headSeq: 12
    }
    requests.length = 0
    await syncer.catchUp()
    // A second start from the list would take the server's counts for history it partly holds: it syncs instead.
    expect(recentRequests).toBe(1)
    expect(requests.map((r) => r.afterSeq)).toEqual([0, 10])
    expect(await storedSeqs()).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
    // The same holds for the app started again on a database whose cursor was still 0 (a stored start, no entries).
    await store.close()
    store = await openMessageStore(':memory:')
    await store.applyConversationSummaries([], 0)
    syncer = makeSyncer(10)
    await syncer.init()
    await syncer.catchUp()
    expect(recentRequests).toBe(1)
    expect(await store.getCursor()).toBe(12)
  })

  it('a poison entry is quarantined, the rest of its batch is applied and the cursor moves past it', async () => {
    for (let seq = 1; seq <= 6; seq++) log.push(logEntry(seq))
    // Entry 3 names no sender: no store check can accept it (the old syncer let it reject the whole batch).
    log[2] = encoded({ ...wireEntry(3), message: { ...wireEntry(3).message, from: '' } })
    // Entry 5 is not even an Event.
    log[4] = { seq: 5, bytes: Uint8Array.from([0x08, 0x05, 0x12, 0xff, 0x01]) }
    await syncer.catchUp()
    expect(syncer.currentCursor).toBe(6)
    expect(await store.getCursor()).toBe(6)
    expect(await storedSeqs()).toEqual([1, 2, 4, 6])
    const quarantine = await store.quarantined()
    expect(quarantine.count).toBe(2)
    expect(quarantine.events.map((e) => e.seq).sort()).toEqual([3, 5])
    expect(quarantine.events.every((e) => e.raw !== null && e.reason.length > 0)).toBe(true)
    // Sync goes on.
    log.push(logEntry(7))
    await syncer.catchUp()
    expect(await storedSeqs()).toEqual([1, 2, 4, 6, 7])
  })

  it('a message body from a newer version is kept raw (never an empty text) and shown after an upgrade without refetching', async () => {
    log.push(logEntry(1), futureMessageEntry(2, 'cat'), futureKindEntry(3), logEntry(4))
    await syncer.catchUp()
    expect(syncer.currentCursor).toBe(4)
    const kept = (await store.page(BOB, null, 10)).messages.find((m) => m.seq === 2)
    expect(kept?.content.type).toBe('unsupported')
    expect(kept?.content.type === 'unsupported' && Buffer.from(kept.content.raw, 'base64')).toEqual(Buffer.from(log[1]!.bytes))
    const fetchedBefore = requests.length

    // "Upgrade": the store's rows are decoded again with the newer decoder; the server is not asked.
    const changed = await store.reinterpretUnsupported(messageDecoder(ME, newerDecoder))
    expect(changed.map((m) => m.seq)).toEqual([2])
    const shown = (await store.page(BOB, null, 10)).messages.find((m) => m.seq === 2)
    expect(shown?.content).toEqual({ type: 'text', text: '[sticker cat]' })
    expect(requests.length).toBe(fetchedBefore)
  })

  it('a read pointer from another device moves the conversation read pointer and the unread count', async () => {
    for (let seq = 1; seq <= 5; seq++) log.push(logEntry(seq))
    log.push(encoded({ seq: 6, readPointer: { conversation: 'BOB', chatType: 0, seq: 3 } }))
    await syncer.catchUp()
    expect(syncer.currentCursor).toBe(6)
    // bob's messages are the odd seqs 1, 3, 5: read up to 3 leaves 5 unread.
    expect(await store.getConversation(BOB)).toMatchObject({ readSeq: 3, unreadCount: 1 })
  })

  it('history is stored without moving the cursor', async () => {
    log.push(logEntry(41))
    await syncer.catchUp() // cursor 41
    await syncer.applyHistory([logEntry(11), logEntry(13)])
    expect(await store.getCursor()).toBe(41)
    expect(await storedSeqs()).toEqual([11, 13, 41])
  })
})
