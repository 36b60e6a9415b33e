// One browser tab's side of the host bridge for the host integration tests: opens the guarded socket as
// the page would (token, tab id, own Origin), numbers invokes, and waits for replies, events and the close.
import { WebSocket } from 'ws'
import type { HostServerMessage, InvokeReply } from '../../../src/shared/ipc/contract'

const WAIT_STEP_MS = 10

type ReplyFrame = Extract<HostServerMessage, { kind: 'reply' }>
type EventFrame = Extract<HostServerMessage, { kind: 'event' }>

export class HostTab {
  readonly messages: HostServerMessage[] = []
  private nextId = 1
  private constructor(
    readonly id: string,
    readonly ws: WebSocket
  ) {
    ws.on('message', (data) => this.messages.push(JSON.parse(data.toString()) as HostServerMessage))
  }

  /** `headers`: more request headers, as a browser sends them (Accept-Language…). */
  static open(host: { port: number; token: string }, id: string, headers: Record<string, string> = {}): Promise<HostTab> {
    const query = new URLSearchParams({ token: host.token, tab: id })
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/bridge?${query.toString()}`, {
      origin: `http://127.0.0.1:${host.port}`,
      headers
    })
    const tab = new HostTab(id, ws)
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(tab))
      ws.once('error', reject)
    })
  }

  /** Sends an invoke and resolves with the host's whole reply frame. */
  async send(method: string, args?: unknown): Promise<ReplyFrame> {
    const id = this.nextId++
    this.ws.send(JSON.stringify({ kind: 'invoke', id, method, args }))
    return (await this.waitFor((m) => m.kind === 'reply' && m.id === id)) as ReplyFrame
  }

  async invoke(method: string, args?: unknown): Promise<InvokeReply> {
    return (await this.send(method, args)).reply
  }

  /** The result of a successful invoke; fails the test with the error sentence otherwise. */
  async call<T>(method: string, args?: unknown): Promise<T> {
    const reply = await this.invoke(method, args)
    if (!reply.ok) throw new Error(`${method} failed: ${reply.error.code} ${reply.error.message}`)
    return reply.result as T
  }

  async event<T>(name: string, match: (payload: T) => boolean): Promise<T> {
    const frame = await this.waitFor((m) => m.kind === 'event' && m.event === name && match(m.payload as T))
    return (frame as EventFrame).payload as T
  }

  waitFor(match: (message: HostServerMessage) => boolean): Promise<HostServerMessage> {
    return new Promise((resolve) => {
      const check = (): void => {
        const found = this.messages.find(match)
        if (found) resolve(found)
        else setTimeout(check, WAIT_STEP_MS)
      }
      check()
    })
  }

  /** Resolves with the close code (-1 when the socket was already closed). */
  closed(): Promise<number> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) resolve(-1)
      else this.ws.once('close', (code) => resolve(code))
    })
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve())
      this.ws.close()
    })
  }
}
