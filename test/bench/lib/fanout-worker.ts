// Owns one load-generator process of bench:fanout: holds its share of member sockets, joins them to a room or a
// group on command, sends at a fixed rate (open loop) from the sockets it is told to, and counts what its sockets
// receive: deliveries, and per message the latest arrival (send -> delivered to all is the max over workers).
import { performance } from 'node:perf_hooks'
import { WebSocket } from 'ws'
import { decodeFrame, encodeFrame, type DecodedFrame, type Frame } from '../../../src/shared/proto/codec'

export interface FanoutClientSpec {
  user: string
  token: string
}

/** Commands from the parent, answered one by one in order. */
export type FanoutCommand =
  | { type: 'connect'; wsUrl: string; clients: FanoutClientSpec[] }
  /** Joins the clients at these indexes (into this worker's list). */
  | { type: 'join-room'; room: string; indexes: number[] }
  | { type: 'join-group'; group: string; indexes: number[] }
  /** Resets the counters and counts deliveries of this kind from now on. */
  | { type: 'measure'; kind: 'room' | 'group' | 'single' }
  /** Open-loop sends: `rate` messages per second in total, round-robin over `from`, for `durationMs`. */
  | { type: 'send'; from: number[]; to: string[]; chatType: number; rate: number; durationMs: number; textBytes: number }
  /** Reports once nothing has arrived for quietMs (or maxWaitMs passed). */
  | { type: 'report'; quietMs: number; maxWaitMs: number }
  | { type: 'close' }

export interface FanoutReport {
  deliveries: number
  /** Message index -> latest arrival latency (ms) among this worker's sockets. */
  lastArrivalMs: Record<number, number>
  firstDeliveryAt: number
  lastDeliveryAt: number
  dropNotices: number
  droppedCounted: number
  /** Sender side (send command): sent, acked, errors, first send time, send->ack latencies. */
  sent: number
  acked: number
  errors: number
  firstError: string | null
  firstSendAt: number
  ackLatenciesMs: number[]
}

/** Sockets opened at once while connecting, to stay inside the server's accept backlog. */
const CONNECT_CONCURRENCY = 100
/** The sender's timer period: the due count is computed from elapsed time, so a late tick catches up. */
const SEND_TICK_MS = 5
const AUTH_ID = 0xffffff
const JOIN_ID = 0xfffffe

const now = (): number => performance.timeOrigin + performance.now()

interface Live {
  spec: FanoutClientSpec
  socket: WebSocket
  nextId: number
  pending: Map<number, number>
  waiters: Map<number, (frame: DecodedFrame) => void>
}

const clients: Live[] = []
let measuring: 'room' | 'group' | 'single' | null = null
let report: FanoutReport = emptyReport()

function emptyReport(): FanoutReport {
  return {
    deliveries: 0,
    lastArrivalMs: {},
    firstDeliveryAt: 0,
    lastDeliveryAt: 0,
    dropNotices: 0,
    droppedCounted: 0,
    sent: 0,
    acked: 0,
    errors: 0,
    firstError: null,
    firstSendAt: 0,
    ackLatenciesMs: []
  }
}

/** Message texts carry "index|sentAt|padding" so receivers in any process can time them. */
function noteArrival(text: string): void {
  const bar = text.indexOf('|')
  const bar2 = text.indexOf('|', bar + 1)
  if (bar < 0 || bar2 < 0) return
  const index = Number(text.slice(0, bar))
  const at = now()
  const latency = at - Number(text.slice(bar + 1, bar2))
  report.deliveries++
  if (report.firstDeliveryAt === 0) report.firstDeliveryAt = at
  report.lastDeliveryAt = at
  const previous = report.lastArrivalMs[index]
  if (previous === undefined || latency > previous) report.lastArrivalMs[index] = latency
}

function onFrame(client: Live, frame: DecodedFrame): void {
  const id = frame.id ?? 0
  if (id !== 0) {
    const waiter = client.waiters.get(id)
    if (waiter) {
      client.waiters.delete(id)
      waiter(frame)
      return
    }
    const sentAt = client.pending.get(id)
    if (sentAt !== undefined) {
      client.pending.delete(id)
      if (frame.sendAck) {
        report.acked++
        report.ackLatenciesMs.push(now() - sentAt)
      } else {
        report.errors++
        report.firstError ??= JSON.stringify(frame.error ?? frame.body)
      }
    }
    return
  }
  if (measuring === 'room' && frame.roomEvent) {
    if (frame.roomEvent.message) noteArrival(frame.roomEvent.message.body?.text?.text ?? '')
    else if (frame.roomEvent.dropped) {
      report.dropNotices++
      report.droppedCounted += frame.roomEvent.dropped.count ?? 0
    }
  } else if (measuring === 'group' && frame.groupEntry?.message) {
    noteArrival(frame.groupEntry.message.body?.text?.text ?? '')
  } else if (measuring === 'single' && frame.event?.message) {
    noteArrival(frame.event.message.body?.text?.text ?? '')
  }
}

function request(client: Live, id: number, frame: Omit<Frame, 'id'>): Promise<DecodedFrame> {
  return new Promise((resolve) => {
    client.waiters.set(id, resolve)
    client.socket.send(encodeFrame({ ...frame, id }))
  })
}

async function connectOne(wsUrl: string, spec: FanoutClientSpec): Promise<void> {
  const socket = new WebSocket(wsUrl, { perMessageDeflate: false })
  socket.binaryType = 'nodebuffer'
  const client: Live = { spec, socket, nextId: 1, pending: new Map(), waiters: new Map() }
  socket.on('message', (data: Buffer) => {
    const decoded = decodeFrame(data)
    if (decoded.ok) onFrame(client, decoded.frame)
  })
  socket.on('error', () => undefined)
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  const reply = await request(client, AUTH_ID, { auth: { token: spec.token, deviceId: `bench-${spec.user}`, platform: 'bench' } })
  if (reply.body !== 'authOk') throw new Error(`auth of ${spec.user} failed: ${JSON.stringify(reply.error)}`)
  clients.push(client)
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn))
}

function send(command: Extract<FanoutCommand, { type: 'send' }>): Promise<void> {
  const padding = 'x'.repeat(Math.max(0, command.textBytes - 32))
  const started = now()
  report.firstSendAt = started
  let sent = 0
  return new Promise((resolve) => {
    const tick = (): void => {
      const elapsed = now() - started
      const due = Math.min(Math.floor((elapsed * command.rate) / 1000), Math.floor((command.durationMs * command.rate) / 1000))
      while (sent < due) {
        const slot = sent % command.from.length
        const client = clients[command.from[slot] as number] as Live
        const to = command.to[slot % command.to.length] as string
        const id = client.nextId++
        const at = now()
        client.pending.set(id, at)
        const clientId = new Uint8Array(16)
        new DataView(clientId.buffer).setFloat64(0, at)
        new DataView(clientId.buffer).setUint32(8, sent)
        new DataView(clientId.buffer).setUint32(12, process.pid)
        client.socket.send(
          encodeFrame({ id, send: { clientId, to, chatType: command.chatType, body: { text: { text: `${sent}|${at}|${padding}` } } } })
        )
        sent++
        report.sent++
      }
      if (elapsed >= command.durationMs) {
        clearInterval(timer)
        resolve()
      }
    }
    const timer = setInterval(tick, SEND_TICK_MS)
  })
}

async function waitQuiet(quietMs: number, maxWaitMs: number): Promise<void> {
  const started = now()
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    const last = Math.max(report.lastDeliveryAt, started)
    const waitingForAcks = clients.some((client) => client.pending.size > 0)
    if (now() - last >= quietMs && !waitingForAcks) return
    if (now() - started >= maxWaitMs) return
  }
}

async function handle(command: FanoutCommand): Promise<unknown> {
  switch (command.type) {
    case 'connect':
      await inBatches(command.clients, CONNECT_CONCURRENCY, (spec) => connectOne(command.wsUrl, spec))
      return { connected: clients.length }
    case 'join-room':
    case 'join-group': {
      const failures: string[] = []
      const joining = command.indexes.map((index) => clients[index]).filter((client): client is Live => client !== undefined)
      await inBatches(joining, CONNECT_CONCURRENCY, async (client) => {
        const frame: Omit<Frame, 'id'> =
          command.type === 'join-room' ? { rooms: { join: { room: command.room } } } : { groups: { join: { group: command.group } } }
        const reply = await request(client, JOIN_ID, frame)
        if (reply.error) failures.push(`${client.spec.user}: ${reply.error.message ?? ''}`)
      })
      return { joined: joining.length - failures.length, firstFailure: failures[0] ?? null }
    }
    case 'measure':
      measuring = command.kind
      report = emptyReport()
      return { measuring }
    case 'send':
      await send(command)
      return { sent: report.sent }
    case 'report':
      await waitQuiet(command.quietMs, command.maxWaitMs)
      return report
    case 'close':
      for (const client of clients) client.socket.terminate()
      clients.length = 0
      return { closed: true }
  }
}

/** Commands may overlap (a send on one worker while the parent waits for reports): answers carry their seq. */
export interface FanoutEnvelope {
  seq: number
  command: FanoutCommand
}
export type FanoutAnswer = { seq: number; ok: true; answer: unknown } | { seq: number; ok: false; error: string }

process.on('message', ({ seq, command }: FanoutEnvelope) => {
  handle(command).then(
    (answer) => process.send?.({ seq, ok: true, answer } satisfies FanoutAnswer),
    (err: unknown) => process.send?.({ seq, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies FanoutAnswer)
  )
})
