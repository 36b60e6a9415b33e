// One browser tab's side of the host bridge for the host integration tests: opens the guarded socket as
// the page would (token, tab id, own Origin), numbers invokes, and waits for replies, events and the close.
import { WebSocket } from 'ws'
import { stringifyWithBytes } from '../../../src/shared/ipc/binary-json'
import type { HostServerMessage, InvokeReply } from '../../../src/shared/ipc/contract'

const WAIT_STEP_MS = 10
/** The page stages a file in chunks of this size (attachments.stageChunk's limit). */
const STAGE_CHUNK_BYTES = 1024 * 1024

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

  /** An invoke whose arguments carry bytes, framed as the page's bridge frames them (bytes as base64 objects). */
  async invokeWithBytes(method: string, args: unknown): Promise<InvokeReply> {
    const id = this.nextId++
    this.ws.send(stringifyWithBytes({ kind: 'invoke', id, method, args }))
    return ((await this.waitFor((m) => m.kind === 'reply' && m.id === id)) as ReplyFrame).reply
  }

  /** Stages a file over the bridge as the page does (begin, 1 MiB chunks, end); what stageEnd answered. */
  async stage(bytes: Buffer, name: string, mime: string): Promise<{ stagedId: string; size: number; sha256: string }> {
    const { stagedId } = await this.call<{ stagedId: string }>('attachments.stageBegin', { name, mime, size: bytes.length })
    for (let offset = 0; offset < bytes.length; offset += STAGE_CHUNK_BYTES) {
      const reply = await this.invokeWithBytes('attachments.stageChunk', { stagedId, offset, bytes: bytes.subarray(offset, offset + STAGE_CHUNK_BYTES) })
      if (!reply.ok) throw new Error(`attachments.stageChunk failed: ${reply.error.code} ${reply.error.message}`)
    }
    const ended = await this.call<{ size: number; sha256: string }>('attachments.stageEnd', { stagedId })
    return { stagedId, ...ended }
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
