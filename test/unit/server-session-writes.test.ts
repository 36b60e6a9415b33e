// A connection's writes reach its TCP stream when the scheduler's slice writes them: the slice's time budget covers the
// syscalls. Driven through ClientSession with a stand-in socket and stream that record cork depth and flushes.
import { EventEmitter } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { ClientSession, type SessionDeps } from '../../src/server/gateway/session'
import { OutboundScheduler, type OutboundWriter } from '../../src/server/gateway/outbound-queue'

/** A scheduler whose slices the test runs by hand. */
class ManualScheduler extends OutboundScheduler {
  readonly writers = new Set<OutboundWriter>()
  override markReady(writer: OutboundWriter): void {
    this.writers.add(writer)
  }
}

/** Stands in for the net.Socket under the WebSocket: frames written while corked leave together at the last uncork. */
class RecordingStream {
  depth = 0
  pending: string[] = []
  readonly syscalls: string[][] = []
  cork(): void {
    this.depth++
  }
  uncork(): void {
    if (this.depth === 0) return
    this.depth--
    if (this.depth === 0 && this.pending.length > 0) {
      this.syscalls.push(this.pending)
      this.pending = []
    }
  }
  write(text: string): void {
    if (this.depth > 0) this.pending.push(text)
    else this.syscalls.push([text])
  }
}

/** Stands in for the ws WebSocket: send() writes through the stream. */
class FakeWebSocket extends EventEmitter {
  readyState: number = WebSocket.OPEN
  bufferedAmount = 0
  constructor(private readonly stream: RecordingStream) {
    super()
  }
  send(bytes: Uint8Array): void {
    this.stream.write(new TextDecoder().decode(bytes))
  }
  ping(): void {
    this.stream.write('ping')
  }
  close(): void {
    this.readyState = WebSocket.CLOSED
  }
  terminate(): void {
    this.readyState = WebSocket.CLOSED
  }
}

const sessions: ClientSession[] = []
afterEach(() => {
  for (const session of sessions.splice(0)) session.terminate()
})

function openSession(): { session: ClientSession; stream: RecordingStream; scheduler: ManualScheduler } {
  const stream = new RecordingStream()
  const scheduler = new ManualScheduler()
  // Only what the constructor and the write path touch; the rest of the services is never reached here.
  const deps = {
    outbound: scheduler,
    config: { tokenWarnBeforeSec: 60 },
    registry: { remove: () => undefined }
  } as unknown as SessionDeps
  const session = new ClientSession(new FakeWebSocket(stream) as unknown as WebSocket, deps, stream)
  sessions.push(session)
  return { session, stream, scheduler }
}

const frame = (text: string): Uint8Array => new TextEncoder().encode(text)

describe('ClientSession writes', () => {
  it('a fan-out slice writes the deferred frames to the stream before it returns, in one syscall', () => {
    const { session, stream, scheduler } = openSession()
    session.queueBytes(frame('group entry 1'))
    session.queueBytes(frame('group entry 2'))
    session.sendBytes(frame('ack behind them'))
    expect(stream.syscalls).toEqual([])
    const [writer] = [...scheduler.writers]
    writer?.flushDeferred()
    // Nothing may be left corked for the end of the tick: the slice's budget must have paid for the syscall.
    expect(stream.depth).toBe(0)
    expect(stream.syscalls).toEqual([['group entry 1', 'group entry 2', 'ack behind them']])
  })

  it('direct frames of one tick still leave together at the end of the tick', async () => {
    const { session, stream } = openSession()
    session.sendBytes(frame('ack'))
    session.sendBytes(frame('message from a peer'))
    expect(stream.syscalls).toEqual([])
    await new Promise((resolve) => process.nextTick(resolve))
    expect(stream.syscalls).toEqual([['ack', 'message from a peer']])
    expect(stream.depth).toBe(0)
  })

  it('a ping goes out only on an open socket', () => {
    const { session, stream } = openSession()
    session.ping()
    expect(stream.syscalls).toEqual([['ping']])
    session.terminate()
    session.ping()
    expect(stream.syscalls).toEqual([['ping']])
  })
})
