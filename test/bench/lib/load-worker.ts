// Owns one load-generator process of bench:server: opens its share of client sockets, authenticates them,
// then on "go" runs closed-loop one-to-one sends (a window of requests in flight per client) and reports counts
// and send->ack latencies. Senders and their peers live in the same worker so it knows how many pushes to expect.
import { performance } from 'node:perf_hooks'
import { WebSocket } from 'ws'
import { decodeFrame, encodeFrame } from '../../../src/shared/proto/codec'

export interface WorkerClient {
  user: string
  token: string
  peer: string
  /** The node this client connects to (bench:cluster); else the worker's wsUrl. */
  wsUrl?: string
}

export interface WorkerInit {
  workerIndex: number
  wsUrl: string
  clients: WorkerClient[]
  messagesPerClient: number
  window: number
  text: string
  /** Stop issuing new sends after this long (ms) even if the count is not reached. */
  sendForMs: number
  /** After the last send, wait at most this long for outstanding acks and pushes. */
  settleMs: number
}

export type WorkerReport =
  | { type: 'ready'; connected: number }
  | { type: 'done'; acked: number; pushed: number; errors: number; latenciesMs: number[]; firstError: string | null }

/** Sockets opened at once while connecting, to stay inside the server's accept backlog. */
const CONNECT_CONCURRENCY = 100
/** Request id of each socket's auth frame; sends count up from 1 and never reach it. */
const AUTH_REQUEST_ID = 0xffffff

/** Messages from the parent process, in order: the init object, then the "go" signal. */
const fromParent: unknown[] = []
const parentWaiters: ((message: unknown) => void)[] = []
process.on('message', (message: unknown) => {
  const waiter = parentWaiters.shift()
  if (waiter) waiter(message)
  else fromParent.push(message)
})
function nextParentMessage(): Promise<unknown> {
  if (fromParent.length > 0) return Promise.resolve(fromParent.shift())
  return new Promise((resolve) => parentWaiters.push(resolve))
}
function report(message: WorkerReport): void {
  if (!process.send) throw new Error('load-worker must run as a child process with an IPC channel')
  process.send(message)
}

let init: WorkerInit

interface LiveClient {
  spec: WorkerClient
  socket: WebSocket
  nextId: number
  sent: number
  inFlight: Map<number, number>
}

let acked = 0
let pushed = 0
let errors = 0
let firstError: string | null = null
let sendingStopsAt = Infinity
const latencies: number[] = []
const clients: LiveClient[] = []
let doneResolve: (() => void) | null = null

function clientIdFor(clientIndex: number, counter: number): Uint8Array {
  const bytes = new Uint8Array(16)
  const view = new DataView(bytes.buffer)
  view.setUint32(0, init.workerIndex)
  view.setUint32(4, clientIndex)
  view.setUint32(8, counter)
  view.setUint32(12, (Math.random() * 2 ** 32) >>> 0)
  return bytes
}

/** Frame field numbers of the server frames the load generator tells apart (see parley.proto). */
const FIELD_ID = 1
const FIELD_AUTH_OK = 10
const FIELD_SEND_ACK = 11
const FIELD_EVENT = 20

/**
 * Reads only the request id and the body's field number: a load generator that fully decoded every ack and push
 * would spend its CPU there and become the bottleneck on a 2-core machine. Anything unexpected is decoded in full.
 */
function peekFrame(bytes: Uint8Array): { id: number; field: number } | null {
  let offset = 0
  let id = 0
  const varint = (): number => {
    let value = 0
    let shift = 0
    for (;;) {
      const byte = bytes[offset++]
      if (byte === undefined) return -1
      value += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) return value
      shift += 7
    }
  }
  while (offset < bytes.length) {
    const tag = varint()
    if (tag < 0) return null
    const field = Math.floor(tag / 8)
    if (field === FIELD_ID && (tag & 7) === 0) id = varint()
    else if ((tag & 7) === 2) return { id, field }
    else return null
  }
  return null
}

function sendNext(client: LiveClient, index: number): void {
  if (client.sent >= init.messagesPerClient || performance.now() >= sendingStopsAt) return
  const id = client.nextId++
  client.sent++
  client.inFlight.set(id, performance.now())
  client.socket.send(
    encodeFrame({ id, send: { clientId: clientIdFor(index, id), to: client.spec.peer, body: { text: { text: init.text } } } })
  )
}

function checkDone(): void {
  if (!doneResolve) return
  const allAcked = clients.every((c) => c.inFlight.size === 0 && (c.sent >= init.messagesPerClient || performance.now() >= sendingStopsAt))
  if (allAcked && pushed >= acked) doneResolve()
}

function connect(spec: WorkerClient, index: number): Promise<LiveClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(spec.wsUrl ?? init.wsUrl, { perMessageDeflate: false })
    const client: LiveClient = { spec, socket, nextId: 1, sent: 0, inFlight: new Map() }
    socket.binaryType = 'nodebuffer'
    socket.on('error', (err) => reject(err))
    socket.on('open', () => socket.send(encodeFrame({ id: AUTH_REQUEST_ID, auth: { token: spec.token, deviceId: `bench-${spec.user}`, platform: 'bench' } })))
    socket.on('message', (data: Buffer) => {
      const peeked = peekFrame(data)
      if (peeked?.field === FIELD_SEND_ACK) {
        const started = client.inFlight.get(peeked.id)
        if (started === undefined) return
        client.inFlight.delete(peeked.id)
        latencies.push(performance.now() - started)
        acked++
        sendNext(client, index)
        checkDone()
        return
      }
      if (peeked?.field === FIELD_EVENT) {
        pushed++
        checkDone()
        return
      }
      if (peeked?.field === FIELD_AUTH_OK) {
        resolve(client)
        return
      }
      const decoded = decodeFrame(data)
      if (!decoded.ok) {
        errors++
        return
      }
      const frame = decoded.frame
      switch (frame.body) {
        case 'error':
          errors++
          firstError ??= `${frame.error?.code}: ${frame.error?.message}`
          if (client.inFlight.delete(frame.id ?? 0)) sendNext(client, index)
          if (frame.id === AUTH_REQUEST_ID) reject(new Error(`auth failed: ${frame.error?.message}`))
          checkDone()
          return
        default:
          return
      }
    })
  })
}

async function main(): Promise<void> {
  init = (await nextParentMessage()) as WorkerInit
  for (let start = 0; start < init.clients.length; start += CONNECT_CONCURRENCY) {
    const slice = init.clients.slice(start, start + CONNECT_CONCURRENCY)
    clients.push(...(await Promise.all(slice.map((spec, i) => connect(spec, start + i)))))
  }
  report({ type: 'ready', connected: clients.length })
  await nextParentMessage()

  sendingStopsAt = performance.now() + init.sendForMs
  const finished = new Promise<void>((resolve) => (doneResolve = resolve))
  clients.forEach((client, index) => {
    for (let i = 0; i < init.window; i++) sendNext(client, index)
  })
  const settleTimer = setTimeout(() => doneResolve?.(), init.sendForMs + init.settleMs)
  await finished
  clearTimeout(settleTimer)
  for (const client of clients) client.socket.terminate()
  report({ type: 'done', acked, pushed, errors, latenciesMs: latencies, firstError })
}

main().catch((err: unknown) => {
  console.error('load worker failed:', err)
  process.exit(1)
})
