// The syncer (the outbox's counterpart for incoming log entries) with a real in-memory store and a scripted
// server log: batches, gaps, pushes during catch-up, own acks, cursor persistence, expired cursors.
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ResponseBody } from '../../src/main/core/net/connection'
import { ProtocolError } from '../../src/main/core/protocol/errors'
import type { WireEvent } from '../../src/main/core/protocol/messages'
import { openMessageStore } from '../../src/main/core/store'
import type { MessageStore } from '../../src/main/core/store/types'
import { Syncer } from '../../src/main/core/sync/syncer'
import { ErrorCode } from '../../src/shared/proto/codec'

const ME = 'alice'
const PEER = 'bob'

/** alice's log on the "server": entry n is a message with seq n; odd ones from bob, even ones from alice. */
function logEntry(seq: number): WireEvent {
  const fromMe = seq % 2 === 0
  return {
    seq,
    message: {
      serverId: 500 + seq,
      clientId: randomBytes(16),
      from: fromMe ? ME : PEER,
      to: fromMe ? PEER : ME,
      timestamp: 1_700_000_000_000 + seq,
      body: { text: { text: `entry ${seq}` } }
    }
  }
}

describe('syncer', () => {
  let store: MessageStore
  let log: WireEvent[]
  let requests: Array<{ afterSeq: number; limit: number }>
  let gate: Promise<void> | null
  let gateAfterSeq = -1
  let expireCursorOnce: boolean
  let syncer: Syncer

  let applied: number
  let failFetchAfterSeq: number | null

  function makeSyncer(batchSize = 10, applyChunk?: number): Syncer {
    return new Syncer({
      store,
      me: ME,
      batchSize,
      ...(applyChunk ? { applyChunk } : {}),
      activeConversation: () => null,
      onApplied: () => {
        applied += 1
      },
      fetchBatch: async (afterSeq, limit): Promise<ResponseBody<'syncBatch'>> => {
        requests.push({ afterSeq, limit })
        if (failFetchAfterSeq !== null && afterSeq >= failFetchAfterSeq) throw new Error('link dropped')
        if (expireCursorOnce && afterSeq > 0) {
          expireCursorOnce = false
          throw new ProtocolError(ErrorCode.ERROR_CURSOR_EXPIRED, 'too old')
        }
        const events = log.filter((e) => Number(e.seq) > afterSeq).slice(0, limit)
        const last = events.at(-1)
        const hasMore = last !== undefined && Number(last.seq) < log.length
        // The answer is fixed before the gate: entries added while it is held arrive only as pushes.
        if (gate && afterSeq === gateAfterSeq) await gate
        // Decode-side types are stricter than what we build here; the shapes are the same.
        return { events: events as ResponseBody<'syncBatch'>['events'], hasMore, headSeq: log.length }
      }
    })
  }

  beforeEach(async () => {
    store = await openMessageStore(':memory:')
    log = []
    requests = []
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
    const page = await store.page(PEER, null, 1_000)
    return page.messages.map((m) => m.seq ?? -1)
  }

  it('catches up in batches until the server has no more, and stores the cursor', async () => {
    for (let seq = 1; seq <= 35; seq++) log.push(logEntry(seq))
    await syncer.catchUp()
    expect(requests.map((r) => r.afterSeq)).toEqual([0, 10, 20, 30])
    expect(await storedSeqs()).toEqual(Array.from({ length: 35 }, (_, i) => i + 1))
    expect(await store.getCursor()).toBe(35)
    expect(syncer.currentCursor).toBe(35)
    const page = await store.page(PEER, null, 2)
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

  it('an expired cursor triggers a full resync without duplicates', async () => {
    for (let seq = 1; seq <= 5; seq++) log.push(logEntry(seq))
    await syncer.catchUp()
    log.push(logEntry(6))
    expireCursorOnce = true
    requests = []
    await syncer.catchUp()
    expect(requests.map((r) => r.afterSeq)).toEqual([5, 0])
    expect(await storedSeqs()).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('history is stored without moving the cursor and without raising unread', async () => {
    log.push(logEntry(41))
    await syncer.catchUp() // cursor 41; bob's entry 41 is unread
    const older = [logEntry(11), logEntry(13)].map((e) => ({
      id: Buffer.from(e.message!.clientId!).toString('hex'),
      serverId: e.message!.serverId!,
      conversationId: PEER,
      chatType: 'single' as const,
      from: PEER,
      to: ME,
      direction: 'in' as const,
      content: { type: 'text' as const, text: 'old' },
      timestamp: e.message!.timestamp!,
      seq: e.seq!,
      status: 'received' as const,
      error: null
    }))
    await syncer.applyHistory(older, PEER)
    expect(await store.getCursor()).toBe(41)
    expect((await store.listConversations())[0]?.unreadCount).toBe(1)
    expect(await storedSeqs()).toEqual([11, 13, 41])
  })
})
