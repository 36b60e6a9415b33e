// Owns the bare WebSocket broadcast that bench:fanout compares rooms with: no store, no tokens, no checks. Every
// authenticated socket is in the one room; a send is acked and its room frame, encoded once, written to all others.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { ChatTypePb, MAX_FRAME_BYTES, decodeFrame, encodeFrame } from '../../../src/shared/proto/codec'
import { WS_PATH } from '../../../src/server'

export interface RawBroadcast {
  wsUrl: string
  close(): Promise<void>
}

export async function startRawBroadcast(): Promise<RawBroadcast> {
  const httpServer = http.createServer()
  const wss = new WebSocketServer({ server: httpServer, path: WS_PATH, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false })
  const members = new Set<WebSocket>()
  let counter = 0

  wss.on('connection', (socket) => {
    let user = ''
    socket.on('error', () => socket.terminate())
    socket.on('close', () => members.delete(socket))
    socket.on('message', (data: Buffer) => {
      const decoded = decodeFrame(data)
      if (!decoded.ok) return
      const frame = decoded.frame
      switch (frame.body) {
        case 'auth':
          // No tokens here: the bench passes the user name as the token.
          user = frame.auth?.token ?? ''
          socket.send(encodeFrame({ id: frame.id, authOk: { user } }))
          return
        case 'rooms':
          members.add(socket)
          socket.send(encodeFrame({ id: frame.id, roomsOk: { joined: { info: { room: frame.rooms?.join?.room ?? '' } } } }))
          return
        case 'send': {
          const send = frame.send
          if (!send) return
          const serverId = ++counter
          const timestamp = Date.now()
          const message = { serverId, clientId: send.clientId, from: user, to: send.to, chatType: ChatTypePb.CHAT_TYPE_ROOM, timestamp, body: send.body }
          socket.send(encodeFrame({ id: frame.id, sendAck: { clientId: send.clientId, serverId, timestamp, seq: 0 } }))
          const bytes = encodeFrame({ id: 0, roomEvent: { room: send.to, message } })
          for (const member of members) if (member !== socket) member.send(bytes)
          return
        }
        default:
          return
      }
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
