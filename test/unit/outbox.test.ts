// Outbox state machine (sending -> sent | failed; failed -> sending on retry) with a real in-memory store
// and a scripted transport: stored before sent, order kept per conversation, transient errors retried with backoff.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../src/shared/errors'
import type { ChatMessage } from '../../src/shared/model'
import { ErrorCode } from '../../src/shared/proto/codec'
import type { ResponseBody } from '../../src/main/core/net/connection'
import { ProtocolError } from '../../src/main/core/protocol/errors'
import { openMessageStore } from '../../src/main/core/store'
import type { MessageStore } from '../../src/main/core/store/types'
import { Outbox, SEND_GIVE_UP_REASON, type OutboxOptions } from '../../src/main/core/sync/outbox'
import { newOutgoingText } from '../../src/main/core/protocol/messages'

type Ack = ResponseBody<'sendAck'>
type SendBehaviour = (message: ChatMessage) => Promise<Ack>

function outgoing(text: string, to = 'bob'): ChatMessage {
  return newOutgoingText('alice', { type: 'single', id: to }, text)
}

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** A scripted transport: each send goes through `behaviour`; records what was sent and when. */
class FakeTransport {
  online = true
  sent: string[] = []
  sentAt: number[] = []
  private nextSeq = 1
  behaviour: SendBehaviour = (message) => Promise.resolve(this.ack(message))

  ack(message: ChatMessage): Ack {
    const seq = this.nextSeq++
    return { clientId: Buffer.from(message.id, 'hex'), serverId: 1000 + seq, seq, timestamp: 1_700_000_000_000 + seq }
  }

  send = (message: ChatMessage): Promise<Ack> => {
    this.sent.push(message.id)
    this.sentAt.push(Date.now())
    return this.behaviour(message)
  }
}

describe('outbox', () => {
  let store: MessageStore
  let transport: FakeTransport
  let outbox: Outbox
  let changes: ChatMessage[]
  let acked: number[]

  function makeOutbox(extra: Partial<OutboxOptions> = {}): Outbox {
    return new Outbox({
      store,
      send: transport.send,
      isOnline: () => transport.online,
      onChanged: (m) => changes.push(m),
      onAcked: (seq) => acked.push(seq),
      retryBaseMs: 1,
      retryMaxMs: 20,
      ...extra
    })
  }

  beforeEach(async () => {
    store = await openMessageStore(':memory:')
    transport = new FakeTransport()
    changes = []
    acked = []
    outbox = makeOutbox()
  })

  afterEach(async () => {
    outbox.close()
    await store.close()
  })

  function goOnline(): void {
    transport.online = true
    outbox.notifyOnline()
  }

  it('stores the message as sending before it is sent, then marks it sent on ack', async () => {
    let release: (() => void) | null = null
    transport.behaviour = (m) => new Promise((resolve) => (release = () => resolve(transport.ack(m))))
    const message = outgoing('hello')
    const stored = await outbox.enqueue(message)
    expect(stored.status).toBe('sending')
    expect((await store.getMessage(message.id))?.status).toBe('sending')
    expect((await store.pendingOutbox()).map((m) => m.id)).toEqual([message.id])
    await tick()
    expect(transport.sent).toEqual([message.id])

    release!()
    await outbox.whenIdle()
    const sent = await store.getMessage(message.id)
    expect(sent?.status).toBe('sent')
    expect(sent?.serverId).toBe(1001)
    expect(sent?.seq).toBe(1)
    expect(await store.pendingOutbox()).toEqual([])
    expect(changes.map((m) => m.status)).toEqual(['sending', 'sent'])
    expect(acked).toEqual([1])
  })

  it('a drop of the link leaves it sending; it is resent once when the link is back', async () => {
    transport.behaviour = () => {
      transport.online = false
      return Promise.reject(new AppError('DISCONNECTED', 'The connection was lost.'))
    }
    const message = outgoing('survives a drop')
    await outbox.enqueue(message)
    await outbox.whenIdle()
    expect((await store.getMessage(message.id))?.status).toBe('sending')

    transport.behaviour = (m) => Promise.resolve(transport.ack(m))
    goOnline()
    await outbox.flush()
    expect((await store.getMessage(message.id))?.status).toBe('sent')
    expect(transport.sent).toEqual([message.id, message.id])
    await outbox.flush()
    expect(transport.sent).toHaveLength(2)
  })

  it('messages written while offline are sent when the link comes up, oldest first', async () => {
    transport.online = false
    const first = outgoing('one')
    const second = outgoing('two')
    await outbox.enqueue(first)
    await outbox.enqueue(second)
    await tick()
    expect(transport.sent).toEqual([])
    goOnline()
    await outbox.flush()
    expect(transport.sent).toEqual([first.id, second.id])
    expect((await store.pendingOutbox()).length).toBe(0)
  })

  it('a message typed at the moment of reconnect waits behind the ones queued offline', async () => {
    transport.online = false
    const queued = [outgoing('q1'), outgoing('q2'), outgoing('q3')]
    for (const m of queued) await outbox.enqueue(m)
    // The link is up, but nobody has flushed yet (the old client waited for catch-up first): type now.
    transport.online = true
    const typed = outgoing('typed at reconnect')
    await outbox.enqueue(typed)
    outbox.notifyOnline()
    await outbox.flush()
    expect(transport.sent).toEqual([...queued.map((m) => m.id), typed.id])
  })

  it('after an app restart the stored queue goes first, and new messages wait behind it', async () => {
    transport.online = false
    const before = [outgoing('from the last run 1'), outgoing('from the last run 2')]
    for (const m of before) await outbox.enqueue(m)
    outbox.close()

    transport.online = true
    outbox = makeOutbox()
    const typed = outgoing('first thing after restart')
    await outbox.enqueue(typed) // start() was not even called: enqueue loads the stored queue first
    await outbox.flush()
    expect(transport.sent).toEqual([...before.map((m) => m.id), typed.id])
  })

  it('a timeout retry keeps the order: nothing overtakes the message being retried', async () => {
    let calls = 0
    transport.behaviour = (m) => {
      calls += 1
      return calls <= 2 ? Promise.reject(new AppError('TIMEOUT', 'late')) : Promise.resolve(transport.ack(m))
    }
    const first = await outbox.enqueue(outgoing('slow'))
    const second = await outbox.enqueue(outgoing('right behind'))
    await outbox.flush()
    expect(transport.sent).toEqual([first.id, first.id, first.id, second.id])
    expect((await store.getMessage(second.id))?.status).toBe('sent')
  })

  it('a rate-limit retry keeps the order and waits at least what the server asked', async () => {
    const RETRY_AFTER_MS = 60
    let refused = false
    transport.behaviour = (m) => {
      if (!refused) {
        refused = true
        return Promise.reject(new ProtocolError(ErrorCode.ERROR_RATE_LIMITED, 'slow down', RETRY_AFTER_MS))
      }
      return Promise.resolve(transport.ack(m))
    }
    const first = await outbox.enqueue(outgoing('one'))
    const second = await outbox.enqueue(outgoing('two'))
    await outbox.flush()
    expect(transport.sent).toEqual([first.id, first.id, second.id])
    // A lower bound, not a performance budget: the resend did not come before the server's retry_after.
    expect(transport.sentAt[1]! - transport.sentAt[0]!).toBeGreaterThanOrEqual(RETRY_AFTER_MS - 5)
  })

  it('rate-limited sends are retried until the server accepts them', async () => {
    let refusals = 0
    transport.behaviour = (m) => {
      if (refusals < 7) {
        refusals += 1
        return Promise.reject(new ProtocolError(ErrorCode.ERROR_RATE_LIMITED, 'slow down'))
      }
      return Promise.resolve(transport.ack(m))
    }
    const message = outgoing('patience')
    await outbox.enqueue(message)
    await outbox.flush()
    expect(refusals).toBe(7)
    expect((await store.getMessage(message.id))?.status).toBe('sent')
  })

  it.each([
    ['ERROR_INTERNAL', ErrorCode.ERROR_INTERNAL],
    ['ERROR_UNKNOWN', ErrorCode.ERROR_UNKNOWN]
  ])('%s is transient: retried with backoff, then sent', async (_name, code) => {
    let refusals = 0
    transport.behaviour = (m) => {
      if (refusals < 3) {
        refusals += 1
        return Promise.reject(new ProtocolError(code, 'group commit failed'))
      }
      return Promise.resolve(transport.ack(m))
    }
    const message = await outbox.enqueue(outgoing('try again'))
    await outbox.flush()
    expect(refusals).toBe(3)
    expect((await store.getMessage(message.id))?.status).toBe('sent')
  })

  it('a permanent server error marks it failed with a sentence; later messages still go; retry sends it again', async () => {
    transport.behaviour = (m) =>
      m.to === 'nobody'
        ? Promise.reject(new ProtocolError(ErrorCode.ERROR_USER_NOT_FOUND, 'no such user'))
        : Promise.resolve(transport.ack(m))
    const message = outgoing('to nobody', 'nobody')
    await outbox.enqueue(message)
    await outbox.flush()
    const failed = await store.getMessage(message.id)
    expect(failed?.status).toBe('failed')
    // Stored as a code and the wire error's name (the renderer words it), not as a sentence.
    expect(failed?.error).toEqual({ code: 'USER_NOT_FOUND', params: { wire: 'ERROR_USER_NOT_FOUND' } })
    expect(await store.pendingOutbox()).toEqual([])

    transport.behaviour = (m) => Promise.resolve(transport.ack(m))
    const retried = await outbox.retry(message.id)
    expect(retried.status).toBe('sending')
    await outbox.flush()
    expect((await store.getMessage(message.id))?.status).toBe('sent')
    expect(changes.map((m) => m.status)).toEqual(['sending', 'failed', 'sending', 'sent'])
  })

  it('text too long is permanent too', async () => {
    transport.behaviour = () => Promise.reject(new ProtocolError(ErrorCode.ERROR_TEXT_TOO_LONG, 'too long'))
    const message = outgoing('x')
    await outbox.enqueue(message)
    await outbox.flush()
    expect((await store.getMessage(message.id))?.status).toBe('failed')
  })

  it('a message that keeps timing out on a live link is failed with a clear sentence after the bound', async () => {
    outbox.close()
    outbox = makeOutbox({ giveUpAfterMs: 40 })
    transport.behaviour = () => Promise.reject(new AppError('TIMEOUT', 'late'))
    const message = await outbox.enqueue(outgoing('never answered'))
    await outbox.flush()
    const failed = await store.getMessage(message.id)
    expect(failed?.status).toBe('failed')
    expect(failed?.error).toEqual(SEND_GIVE_UP_REASON)
    expect(transport.sent.length).toBeGreaterThan(1)
  })

  it('conversations do not block each other: a stalled lane does not hold up another', async () => {
    const stalled: Array<() => void> = []
    transport.behaviour = (m) =>
      m.to === 'slowpoke'
        ? new Promise((resolve) => stalled.push(() => resolve(transport.ack(m))))
        : Promise.resolve(transport.ack(m))
    const slow1 = await outbox.enqueue(outgoing('slow 1', 'slowpoke'))
    const slow2 = await outbox.enqueue(outgoing('slow 2', 'slowpoke'))
    const fast = [await outbox.enqueue(outgoing('fast 1', 'carol')), await outbox.enqueue(outgoing('fast 2', 'carol'))]
    for (let i = 0; i < 50 && (await store.getMessage(fast[1]!.id))?.status !== 'sent'; i++) await tick()
    expect((await store.getMessage(fast[1]!.id))?.status).toBe('sent')
    // The slow lane has exactly its head in flight; its second message has not gone around it.
    expect(transport.sent.filter((id) => id === slow1.id || id === slow2.id)).toEqual([slow1.id])
    stalled.shift()!()
    for (let i = 0; i < 50 && stalled.length === 0; i++) await tick()
    stalled.shift()!()
    await outbox.flush()
    expect(transport.sent.filter((id) => id === slow1.id || id === slow2.id)).toEqual([slow1.id, slow2.id])
  })

  it('never has the same message in flight twice', async () => {
    let release: (() => void) | null = null
    transport.behaviour = (m) => new Promise((resolve) => (release = () => resolve(transport.ack(m))))
    const message = outgoing('once')
    await outbox.enqueue(message)
    const flushing = outbox.flush()
    await tick(10)
    expect(transport.sent).toEqual([message.id])
    release!()
    await flushing
    expect(transport.sent).toEqual([message.id])
  })

  it('flushes a long outbox in order per conversation, one send in flight per conversation', async () => {
    transport.online = false
    const peers = ['bob', 'carol', 'dave', 'erin']
    const idsByPeer = new Map<string, string[]>(peers.map((p) => [p, []]))
    for (let i = 0; i < 100; i++) {
      const peer = peers[i % peers.length]!
      idsByPeer.get(peer)!.push((await outbox.enqueue(outgoing(`queued ${i}`, peer))).id)
    }
    let inFlight = 0
    let maxInFlight = 0
    const inFlightByPeer = new Map<string, number>()
    transport.behaviour = async (m) => {
      inFlight += 1
      maxInFlight = Math.max(maxInFlight, inFlight)
      inFlightByPeer.set(m.to, (inFlightByPeer.get(m.to) ?? 0) + 1)
      expect(inFlightByPeer.get(m.to)).toBe(1)
      await tick(1)
      inFlightByPeer.set(m.to, inFlightByPeer.get(m.to)! - 1)
      inFlight -= 1
      return transport.ack(m)
    }
    goOnline()
    await outbox.flush()
    for (const peer of peers) {
      const ids = idsByPeer.get(peer)!
      expect(transport.sent.filter((id) => ids.includes(id))).toEqual(ids)
    }
    expect(maxInFlight).toBeGreaterThan(1)
    expect(maxInFlight).toBeLessThanOrEqual(peers.length)
    expect(await store.pendingOutbox()).toEqual([])
  })

  it('retry of an unknown message is a clear NOT_FOUND error', async () => {
    await expect(outbox.retry('00'.repeat(16))).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
