// Owns the WebSocket endpoint: upgrades on /ws, one ClientSession per socket (wired to the request dispatcher), the
// server-side ping sweep, and closing every socket on shutdown after a going-away hint.
import type http from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, WebSocket } from 'ws'
import { CloseCode, MAX_FRAME_BYTES } from '../../shared/proto/codec'
import { CLOSE_GRACE_MS, OUTBOUND_SLICE_MS, PING_INTERVAL_MS } from '../config'
import { createDispatcher } from './dispatch'
import type { GatewayServices } from './request-context'
import { OutboundScheduler } from './outbound-queue'
import { PingSweep } from './ping-sweep'
import { ClientSession, type SessionDeps } from './session'

export const WS_PATH = '/ws'

export interface Gateway {
  /**
   * Closes every socket with `code` and waits (bounded) for them to go. With `goingAwayMs`, each socket is first told
   * to reconnect after a random delay in [0, goingAwayMs), so a restart does not bring every client back at once.
   */
  close(code: CloseCode, reason: string, goingAwayMs?: number): Promise<void>
  /** New upgrades are refused (503) from now on (the node drains); open sockets stay until close(). */
  stopAccepting(): void
  /** Open sockets (authenticated or not yet): the connections gauge of /metrics. */
  readonly connections: number
}

export function attachGateway(httpServer: http.Server, services: GatewayServices): Gateway {
  const deps: SessionDeps = { ...services, dispatch: createDispatcher(services), outbound: new OutboundScheduler() }
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false })
  const sessions = new Set<ClientSession>()
  let accepting = true

  httpServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname
    if (pathname !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    if (!accepting) {
      // A draining node: the client moves on to its next gateway address at once (refused, like a dead node).
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  wss.on('connection', (ws: WebSocket, req: http.IncomingMessage) => {
    const session = new ClientSession(ws, deps, req.socket)
    sessions.add(session)
    ws.on('close', () => sessions.delete(session))
  })

  // Pings are paced like a fan-out's frames: a slice of the same length, I/O served between slices.
  const pingSweep = new PingSweep(() => sessions, OUTBOUND_SLICE_MS)
  pingSweep.start(PING_INTERVAL_MS)

  return {
    get connections() {
      return sessions.size
    },
    stopAccepting() {
      accepting = false
    },
    async close(code, reason, goingAwayMs) {
      pingSweep.stop()
      const open = [...sessions]
      if (goingAwayMs !== undefined) for (const session of open) if (session.isOpen) session.sendGoingAway(goingAwayMs)
      await Promise.all(
        open.map(
          (session) =>
            new Promise<void>((resolve) => {
              if (session.socket.readyState === WebSocket.CLOSED) return resolve()
              const force = setTimeout(() => session.socket.terminate(), CLOSE_GRACE_MS)
              session.socket.once('close', () => {
                clearTimeout(force)
                resolve()
              })
              // A session that is already closing has its close handshake under way; the grace timer bounds it.
              session.close(code, reason)
            })
        )
      )
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    }
  }
}
