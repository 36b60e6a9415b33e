// Owns the host's WebSocket bridge at /bridge: the upgrade guards (Host, token, Origin, tab id), the token check a
// refused page asks (/bridge/token), and the JSON message loop that turns HostClientMessages into CoreSession invokes and sends replies and events back.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, WebSocket, type RawData } from 'ws'
import type { CoreSession } from '../main/core/api/session'
import { HOST_BRIDGE_PATH, HOST_TOKEN_CHECK_PATH, type HostClientMessage, type HostServerMessage } from '../shared/ipc/contract'
import { parseWithBytes } from '../shared/ipc/binary-json'
import { createLogger } from '../shared/logger'
import { languagesOfAcceptLanguage } from '../main/core/settings'
import { isOwnHost, isOwnOrigin, isValidTabId, tokenMatches } from './security'
import { CLOSE_GOING_AWAY, type TabConnection, type TabSessions } from './tab-sessions'
import { createPacedSender } from './paced-sender'

const log = createLogger('host:bridge')

/**
 * Largest JSON frame a page may send; the biggest legitimate one is a staged file's chunk (1 MiB as base64 is
 * 1.34 MiB, plus the envelope).
 */
export const MAX_BRIDGE_PAYLOAD_BYTES = 1536 * 1024
/** Upper bound on concurrent tab sessions, so a runaway page cannot exhaust sockets and databases. */
export const MAX_TAB_SESSIONS = 64
/** Upper bound on one connection's unanswered invokes. */
const MAX_PENDING_INVOKES = 256
const CLOSE_TRY_AGAIN_LATER = 1013

/**
 * Answers GET /bridge/token?token= (true when the request was it): 204 for the host's token, 403 for any other, so
 * a page whose socket is refused after a host restart can say so instead of retrying forever. It tells no more than
 * the socket upgrade does (which refuses a wrong token with 403).
 */
export function serveTokenCheck(req: IncomingMessage, res: ServerResponse, token: string, headers: Record<string, string>): boolean {
  const url = new URL(req.url ?? '/', 'http://host.invalid')
  if (url.pathname !== HOST_TOKEN_CHECK_PATH) return false
  const current = req.method === 'GET' && tokenMatches(token, url.searchParams.get('token'))
  res.writeHead(current ? 204 : 403, { ...headers, 'Cache-Control': 'no-store' })
  res.end()
  return true
}

export interface BridgeOptions {
  token: string
  /** The port the host listens on (known only after listen), for the Origin and Host checks. */
  port: () => number
  tabs: TabSessions
}

export interface Bridge {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  close(): void
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  )
  socket.destroy()
}

function parseClientMessage(data: RawData): HostClientMessage | string {
  let parsed: unknown
  try {
    parsed = parseWithBytes(data.toString())
  } catch {
    return 'invalid JSON'
  }
  if (typeof parsed !== 'object' || parsed === null) return 'not an object'
  const message = parsed as Record<string, unknown>
  if (message.kind !== 'invoke') return `unknown kind ${JSON.stringify(message.kind)?.slice(0, 40)}`
  if (typeof message.id !== 'number' || !Number.isSafeInteger(message.id)) return 'invoke without an integer id'
  if (typeof message.method !== 'string') return 'invoke without a method name'
  // The method name and args are checked by CoreSession.invoke, which answers unknown ones with an error.
  return message as HostClientMessage
}

export function createBridge(options: BridgeOptions): Bridge {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BRIDGE_PAYLOAD_BYTES })

  function serve(ws: WebSocket, tab: string, languages: readonly string[]): void {
    // Replies and events in order, paced so a burst (a catch-up's events) never holds the host's loop for long.
    const outgoing = createPacedSender((text) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(text)
    })
    const connection: TabConnection = {
      send: (message: HostServerMessage) => outgoing.send(message),
      close: (code, reason) => ws.close(code, reason)
    }
    let session: CoreSession
    try {
      session = options.tabs.attach(tab, connection, languages)
    } catch (err) {
      log.warn('could not attach a tab', { tab, error: String(err) })
      ws.close(CLOSE_GOING_AWAY, 'Parley is shutting down')
      return
    }
    let pending = 0
    log.info('tab connected', { tab })

    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        log.warn('ignored a binary frame', { tab })
        return
      }
      const message = parseClientMessage(data)
      if (typeof message === 'string') {
        log.warn('ignored a bridge message', { tab, problem: message })
        return
      }
      if (pending >= MAX_PENDING_INVOKES) {
        log.warn('too many unanswered invokes; closing the connection', { tab })
        ws.close(CLOSE_TRY_AGAIN_LATER, 'Too many requests at once')
        return
      }
      pending += 1
      void session.invoke(message.method, message.args).then((reply) => {
        pending -= 1
        connection.send({ kind: 'reply', id: message.id, reply })
      })
    })
    ws.on('error', (err) => log.warn('bridge socket error', { tab, error: err.message }))
    ws.on('close', () => {
      outgoing.clear()
      log.info('tab disconnected', { tab })
      options.tabs.detach(tab, connection)
    })
  }

  return {
    handleUpgrade(req, socket, head) {
      const port = options.port()
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      if (url.pathname !== HOST_BRIDGE_PATH) return refuseUpgrade(socket, 404, 'Not Found')
      if (!isOwnHost(req.headers.host, port)) {
        log.warn('refused a bridge connection for a foreign Host', { host: req.headers.host?.slice(0, 100) })
        return refuseUpgrade(socket, 403, 'Forbidden')
      }
      if (!tokenMatches(options.token, url.searchParams.get('token'))) {
        log.warn('refused a bridge connection with a wrong token')
        return refuseUpgrade(socket, 403, 'Forbidden')
      }
      if (!isOwnOrigin(req.headers.origin, port)) {
        log.warn('refused a bridge connection from a foreign origin', { origin: req.headers.origin?.slice(0, 100) })
        return refuseUpgrade(socket, 403, 'Forbidden')
      }
      const tab = url.searchParams.get('tab')
      if (!isValidTabId(tab)) return refuseUpgrade(socket, 400, 'Bad Request')
      if (!options.tabs.has(tab) && options.tabs.size >= MAX_TAB_SESSIONS) {
        log.warn('refused a new tab: too many tab sessions', { limit: MAX_TAB_SESSIONS })
        return refuseUpgrade(socket, 503, 'Service Unavailable')
      }
      // The browser's languages: a new tab's settings start in the first one Parley speaks.
      const languages = languagesOfAcceptLanguage(req.headers['accept-language'])
      wss.handleUpgrade(req, socket, head, (ws) => serve(ws, tab, languages))
    },
    close() {
      for (const client of wss.clients) client.terminate()
      wss.close()
    }
  }
}
