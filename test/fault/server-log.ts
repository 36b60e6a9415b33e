// Owns reading what the server holds, through its API only: a fresh device signs in (HTTP), authenticates on the
// socket and pages the user's whole log with sync requests. Never the SQLite file (another backend must pass too).
import { randomUUID } from 'node:crypto'
import { WebSocket } from 'ws'
import { loginAccount } from '../../src/main/core/app-server'
import { AppError } from '../../src/shared/errors'
import { clientIdToHex, decodeFrame, encodeFrame, type DecodedFrame, type Frame } from '../../src/shared/proto/codec'

/** The server's cap on one sync batch (SYNC_MAX_LIMIT); a smaller request is simply answered with fewer. */
const SYNC_PAGE = 500
/** Loopback answers take milliseconds; this only bounds a hung server. */
const REQUEST_TIMEOUT_MS = 10_000
const WS_PATH = '/ws'

export interface LoggedMessage {
  id: string
  text: string
  from: string
  to: string
  seq: number
}

/** One user's log as the server serves it to a new device, grouped by conversation (the peer), in log order. */
export type UserLog = Map<string, LoggedMessage[]>

/** Sign-in attempts of a log reader: a server restarted by the run may still be coming up when the verdict starts. */
const READER_LOGIN_ATTEMPTS = 10
const READER_LOGIN_RETRY_MS = 300

async function loginWithRetries(loginUrl: string, user: string, password: string): ReturnType<typeof loginAccount> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await loginAccount(loginUrl, user, password)
    } catch (err) {
      const unreachable = err instanceof AppError && err.code === 'SERVER_UNREACHABLE'
      if (!unreachable || attempt >= READER_LOGIN_ATTEMPTS) throw err
      await new Promise((resolve) => setTimeout(resolve, READER_LOGIN_RETRY_MS))
    }
  }
}

export class ServerLogReader {
  private nextId = 1
  private readonly waiting = new Map<number, { resolve: (frame: DecodedFrame) => void; reject: (err: Error) => void }>()

  private constructor(
    private readonly socket: WebSocket,
    readonly user: string
  ) {
    socket.on('message', (data: Buffer) => {
      const decoded = decodeFrame(data)
      if (!decoded.ok) return
      const waiter = this.waiting.get(decoded.frame.id)
      if (!waiter) return // pushes: the reader pages the log itself
      this.waiting.delete(decoded.frame.id)
      waiter.resolve(decoded.frame)
    })
    socket.on('close', () => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error('the reader socket closed'))
      this.waiting.clear()
    })
    socket.on('error', () => undefined)
  }

  /**
   * Signs in as `user` on a new device id (HTTP at `loginUrl`: the harness's proxy, which never faults HTTP) and reads
   * over a socket straight at the server (never through the faulty proxy).
   */
  static async open(loginUrl: string, serverUrl: string, user: string, password: string): Promise<ServerLogReader> {
    const login = await loginWithRetries(loginUrl, user, password)
    const socket = new WebSocket(serverUrl.replace(/^http/, 'ws') + WS_PATH, { perMessageDeflate: false })
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    const reader = new ServerLogReader(socket, login.user)
    const answer = await reader.request({ auth: { token: login.token, deviceId: `reader-${randomUUID()}`, platform: 'test' } })
    if (answer.body !== 'authOk') throw new Error(`the log reader could not authenticate: ${describe(answer)}`)
    return reader
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN
  }

  private request(frame: Omit<Frame, 'id'>): Promise<DecodedFrame> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        reject(new Error(`the server did not answer request ${id}`))
      }, REQUEST_TIMEOUT_MS)
      this.waiting.set(id, {
        resolve: (answer) => {
          clearTimeout(timer)
          resolve(answer)
        },
        reject: (err) => {
          clearTimeout(timer)
          reject(err)
        }
      })
      this.socket.send(encodeFrame({ ...frame, id }))
    })
  }

  /** The user's whole log from the start, grouped by peer. */
  async readLog(): Promise<UserLog> {
    const log: UserLog = new Map()
    let after = 0
    for (;;) {
      const answer = await this.request({ sync: { afterSeq: after, limit: SYNC_PAGE } })
      if (answer.body !== 'syncBatch' || !answer.syncBatch) throw new Error(`sync failed: ${describe(answer)}`)
      const events = answer.syncBatch.events ?? []
      for (const event of events) {
        after = Math.max(after, Number(event.seq))
        const message = event.message
        if (!message) continue
        const from = message.from ?? ''
        const to = message.to ?? ''
        const peer = from === this.user ? to : from
        const entry: LoggedMessage = {
          id: clientIdToHex(message.clientId ?? new Uint8Array()),
          text: message.body?.text?.text ?? '',
          from,
          to,
          seq: Number(event.seq)
        }
        const list = log.get(peer)
        if (list) list.push(entry)
        else log.set(peer, [entry])
      }
      if (!answer.syncBatch.hasMore || events.length === 0) return log
    }
  }

  close(): void {
    this.socket.terminate()
  }
}

function describe(answer: DecodedFrame): string {
  return answer.body === 'error' ? `error ${answer.error?.code}: ${answer.error?.message}` : `unexpected ${answer.body}`
}
