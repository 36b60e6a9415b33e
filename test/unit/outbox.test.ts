// Outbox state machine (sending -> sent | failed; failed -> sending on retry) with a real in-memory store
// and a scripted transport: stored before sent, resent after drops, never in flight twice.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../src/shared/errors'
import type { ChatMessage } from '../../src/shared/model'
import { ErrorCode } from '../../src/shared/proto/codec'
import type { ResponseBody } from '../../src/main/core/net/connection'
import { ProtocolError } from '../../src/main/core/protocol/errors'
import { openMessageStore } from '../../src/main/core/store'
import type { MessageStore } from '../../src/main/core/store/types'
import { FLUSH_WINDOW, Outbox } from '../../src/main/core/sync/outbox'
import { newOutgoingText } from '../../src/main/core/protocol/messages'

type Ack = ResponseBody<'sendAck'>
type SendBehaviour = (message: ChatMessage) => Promise<Ack>

function outgoing(text: string, to = 'bob'): ChatMessage {
  return newOutgoingText('alice', to, text)
}

/** A scripted transport: each send goes through `behaviour`; records what was sent. */
class FakeTransport {
  online = true
  sent: string[] = []
  private nextSeq = 1
  behaviour: SendBehaviour = (message) => Promise.resolve(this.ack(message))

  ack(message: ChatMessage): Ack {
    const seq = this.nextSeq++
    return { clientId: Buffer.from(message.id, 'hex'), serverId: 1000 + seq, seq, timestamp: 1_700_000_000_000 + seq }
  }

  send = (message: ChatMessage): Promise<Ack> => {
    this.sent.push(message.id)
    return this.behaviour(message)
  }
}

describe('outbox', () => {
  let store: MessageStore
  let transport: FakeTransport
  let outbox: Outbox
  let changes: ChatMessage[]
  let acked: number[]

  beforeEach(async () => {
    store = await openMessageStore(':memory:')
    transport = new FakeTransport()
    changes = []
    acked = []
    outbox = new Outbox({
      store,
      send: transport.send,
      isOnline: () => transport.online,
      onChanged: (m) => changes.push(m),
      onAcked: (seq) => acked.push(seq),
      retryDelayMs: 1
    })
  })

  afterEach(async () => {
    outbox.close()
    await store.close()
  })

  async function settle(): Promise<void> {
    for (let i = 0; i < 50 && outbox.inFlightCount > 0; i++) await new Promise((r) => setTimeout(r, 5))
  }

  it('stores the message as sending before it is sent, then marks it sent on ack', async () => {
    let release: (() => void) | null = null
    transport.behaviour = (m) => new Promise((resolve) => (release = () => resolve(transport.ack(m))))
    const message = outgoing('hello')
    const stored = await outbox.enqueue(message)
    expect(stored.status).toBe('sending')
    expect((await store.getMessage(message.id))?.status).toBe('sending')
    expect((await store.pendingOutbox()).map((m) => m.id)).toEqual([message.id])
    expect(transport.sent).toEqual([message.id])

    release!()
    await settle()
    const sent = await store.getMessage(message.id)
    expect(sent?.status).toBe('sent')
    expect(sent?.serverId).toBe(1001)
    expect(sent?.seq).toBe(1)
    expect(await store.pendingOutbox()).toEqual([])
    expect(changes.map((m) => m.status)).toEqual(['sending', 'sent'])
    expect(acked).toEqual([1])
  })

  it('a transient failure (disconnect) leaves it sending; the next flush resends it once', async () => {
    transport.behaviour = () => Promise.reject(new AppError('DISCONNECTED', 'The connection was lost.'))
    const message = outgoing('survives a drop')
    await outbox.enqueue(message)
    await settle()
    expect((await store.getMessage(message.id))?.status).toBe('sending')

    transport.behaviour = (m) => Promise.resolve(transport.ack(m))
    await outbox.flush()
    expect((await store.getMessage(message.id))?.status).toBe('sent')
    expect(transport.sent).toEqual([message.id, message.id])
    await outbox.flush()
    expect(transport.sent).toHaveLength(2)
  })

  it('messages written while offline are only sent by the flush, oldest first', async () => {
    transport.online = false
    const first = outgoing('one')
    const second = outgoing('two')
    await outbox.enqueue(first)
    await outbox.enqueue(second)
    expect(transport.sent).toEqual([])
    transport.online = true
    await outbox.flush()
    expect(transport.sent).toEqual([first.id, second.id])
    expect((await store.pendingOutbox()).length).toBe(0)
  })

  it('a permanent server error marks it failed with a sentence; retry sends it again', async () => {
    transport.behaviour = () => Promise.reject(new ProtocolError(ErrorCode.ERROR_USER_NOT_FOUND, 'no such user'))
    const message = outgoing('to nobody', 'nobody')
    await outbox.enqueue(message)
    await settle()
    const failed = await store.getMessage(message.id)
    expect(failed?.status).toBe('failed')
    expect(failed?.error).toBe('That user does not exist.')
    expect(await store.pendingOutbox()).toEqual([])

    transport.behaviour = (m) => Promise.resolve(transport.ack(m))
    const retried = await outbox.retry(message.id)
    expect(retried.status).toBe('sending')
    await settle()
    expect((await store.getMessage(message.id))?.status).toBe('sent')
    expect(changes.map((m) => m.status)).toEqual(['sending', 'failed', 'sending', 'sent'])
  })

  it('text too long is permanent too', async () => {
    transport.behaviour = () => Promise.reject(new ProtocolError(ErrorCode.ERROR_TEXT_TOO_LONG, 'too long'))
    const message = outgoing('x')
    await outbox.enqueue(message)
    await settle()
    expect((await store.getMessage(message.id))?.status).toBe('failed')
  })

  it('a timeout while still online is retried without waiting for a reconnect', async () => {
    let calls = 0
    transport.behaviour = (m) => {
      calls += 1
      return calls === 1 ? Promise.reject(new AppError('TIMEOUT', 'late')) : Promise.resolve(transport.ack(m))
    }
    const message = outgoing('slow')
    await outbox.enqueue(message)
    await settle()
    expect(calls).toBe(2)
    expect((await store.getMessage(message.id))?.status).toBe('sent')
  })

  it('never has the same message in flight twice', async () => {
    let release: (() => void) | null = null
    transport.behaviour = (m) => new Promise((resolve) => (release = () => resolve(transport.ack(m))))
    const message = outgoing('once')
    await outbox.enqueue(message)
    const flushing = outbox.flush()
    await new Promise((r) => setTimeout(r, 10))
    expect(transport.sent).toEqual([message.id])
    release!()
    await flushing
    await settle()
    expect(transport.sent).toEqual([message.id])
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
    for (let i = 0; i < 200 && outbox.inFlightCount > 0; i++) await new Promise((r) => setTimeout(r, 5))
    expect(refusals).toBe(7)
    expect((await store.getMessage(message.id))?.status).toBe('sent')
  })

  it('flushes a long outbox in order with a bounded number of sends in flight', async () => {
    transport.online = false
    const ids: string[] = []
    for (let i = 0; i < 100; i++) ids.push((await outbox.enqueue(outgoing(`queued ${i}`))).id)
    let inFlight = 0
    let maxInFlight = 0
    transport.behaviour = async (m) => {
      inFlight += 1
      maxInFlight = Math.max(maxInFlight, inFlight)
      await new Promise((r) => setTimeout(r, 1))
      inFlight -= 1
      return transport.ack(m)
    }
    transport.online = true
    await outbox.flush()
    expect(transport.sent).toEqual(ids)
    expect(maxInFlight).toBeGreaterThan(1)
    expect(maxInFlight).toBeLessThanOrEqual(FLUSH_WINDOW)
    expect(await store.pendingOutbox()).toEqual([])
  })

  it('retry of an unknown message is a clear NOT_FOUND error', async () => {
    await expect(outbox.retry('00'.repeat(16))).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
