// Owns the bare WebSocket relay that bench:server uses as the physical limit: no storage, no tokens, no validation.
// It decodes each frame, remembers a socket per user on auth, forwards a send as an event to the addressed socket
// and acks the sender, so the clients do exactly the same work as against the real server.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { MAX_FRAME_BYTES, decodeFrame, encodeFrame } from '../../../src/shared/proto/codec'
import { WS_PATH } from '../../../src/server'

export interface RawRelay {
  wsUrl: string
  close(): Promise<void>
}

export async function startRawRelay(): Promise<RawRelay> {
  const httpServer = http.createServer()
  const wss = new WebSocketServer({ server: httpServer, path: WS_PATH, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false })
  const byUser = new Map<string, WebSocket>()
  let counter = 0

  wss.on('connection', (socket) => {
    let user = ''
    socket.on('error', () => socket.terminate())
    socket.on('close', () => {
      if (byUser.get(user) === socket) byUser.delete(user)
    })
    socket.on('message', (data: Buffer) => {
      const decoded = decodeFrame(data)
      if (!decoded.ok) return
      const frame = decoded.frame
      if (frame.body === 'auth') {
        // The relay has no tokens: the bench passes the user name as the token.
        user = frame.auth?.token ?? ''
        byUser.set(user, socket)
        socket.send(encodeFrame({ id: frame.id, authOk: { user } }))
        return
      }
      if (frame.body !== 'send' || !frame.send) return
      const seq = ++counter
      const timestamp = Date.now()
      const message = { serverId: seq, clientId: frame.send.clientId, from: user, to: frame.send.to, timestamp, body: frame.send.body }
      byUser.get(frame.send.to ?? '')?.send(encodeFrame({ id: 0, event: { seq, message } }))
      socket.send(encodeFrame({ id: frame.id, sendAck: { clientId: frame.send.clientId, serverId: seq, timestamp, seq } }))
    })
  })

  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve))
  const { port } = httpServer.address() as AddressInfo
  return {
    wsUrl: `ws://127.0.0.1:${port}${WS_PATH}`,
    async close() {
      for (const socket of wss.clients) socket.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await new Promise<void>((resolve) => httpServer.close(() => resolve()))
    }
  }
}
