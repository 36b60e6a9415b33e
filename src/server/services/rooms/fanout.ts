// Owns writing room frames to this node's sockets without unbounded buffering: a socket whose unsent backlog is over
// ROOM_SOCKET_BACKLOG_LIMIT_BYTES gets no room frames (counted per room) until it drains; then it is told how many.
import { encodeFrame } from '../../../shared/proto/codec'
import { createLogger } from '../../../shared/logger'
import { ROOM_DRAIN_CHECK_INTERVAL_MS, ROOM_SOCKET_BACKLOG_LIMIT_BYTES, ROOM_SOCKET_RESUME_BYTES } from '../../config'

const log = createLogger('server:rooms')

/** What the room fan-out needs of a live connection (the gateway's ClientSession). */
export interface RoomSocket {
  readonly user: string
  readonly deviceId: string
  readonly isOpen: boolean
  /** Bytes written to the socket and not yet handed to the kernel (ws bufferedAmount). */
  readonly unsentBytes: number
  sendBytes(bytes: Uint8Array): void
  /** Writes a fan-out's frame in a coming slice of the gateway, in order with the rest (see gateway/outbound-queue). */
  queueBytes(bytes: Uint8Array): void
}

/** Upper bound of a WebSocket frame header the server writes (no mask): 2 + 8 bytes. */
const WS_HEADER_BYTES = 10

export interface RoomFanoutStats {
  /** Room frames not written because the socket's backlog was over the limit, since start. */
  droppedFrames: number
  /** Sockets currently skipped for their backlog. */
  laggingSockets: number
  /** The largest backlog a room frame write left on any socket, since start (bounded by limit + one frame). */
  peakBacklogBytes: number
}

export class RoomFanout {
  /** Lagging sockets -> room -> frames dropped there since the socket fell behind. */
  private readonly lagging = new Map<RoomSocket, Map<string, number>>()
  private drainTimer: NodeJS.Timeout | null = null
  private droppedFrames = 0
  private peakBacklogBytes = 0

  /** Writes `bytes` (one room frame, encoded once) to every socket but `except`. */
  write(room: string, sockets: Iterable<RoomSocket>, bytes: Uint8Array, except?: RoomSocket): void {
    for (const socket of sockets) {
      if (socket === except) continue
      this.writeOne(room, socket, bytes)
    }
  }

  writeOne(room: string, socket: RoomSocket, bytes: Uint8Array): void {
    if (!socket.isOpen) return
    let backlog = socket.unsentBytes
    if (this.lagging.has(socket)) {
      if (backlog > ROOM_SOCKET_RESUME_BYTES || !this.resume(socket)) {
        this.countDrop(room, socket)
        return
      }
      backlog = socket.unsentBytes
    } else if (backlog > ROOM_SOCKET_BACKLOG_LIMIT_BYTES) {
      this.countDrop(room, socket)
      return
    }
    socket.queueBytes(bytes)
    const after = backlog + bytes.length + WS_HEADER_BYTES
    if (after > this.peakBacklogBytes) this.peakBacklogBytes = after
  }

  /** The socket left the room or closed: nothing is owed to it there any more. */
  forget(socket: RoomSocket, room?: string): void {
    const rooms = this.lagging.get(socket)
    if (!rooms) return
    if (room === undefined) this.lagging.delete(socket)
    else rooms.delete(room)
  }

  stats(): RoomFanoutStats {
    return { droppedFrames: this.droppedFrames, laggingSockets: this.lagging.size, peakBacklogBytes: this.peakBacklogBytes }
  }

  close(): void {
    if (this.drainTimer) clearInterval(this.drainTimer)
    this.drainTimer = null
    this.lagging.clear()
  }

  private countDrop(room: string, socket: RoomSocket): void {
    this.droppedFrames++
    let rooms = this.lagging.get(socket)
    if (!rooms) {
      rooms = new Map()
      this.lagging.set(socket, rooms)
      log.info('room member fell behind; dropping its room frames until it drains', { user: socket.user, deviceId: socket.deviceId })
      this.drainTimer ??= setInterval(() => this.checkDrained(), ROOM_DRAIN_CHECK_INTERVAL_MS)
      this.drainTimer.unref()
    }
    rooms.set(room, (rooms.get(room) ?? 0) + 1)
  }

  /** Sends the drop notices of a drained socket (one per room) and takes it off the lagging list. */
  private resume(socket: RoomSocket): boolean {
    const rooms = this.lagging.get(socket)
    this.lagging.delete(socket)
    if (!rooms || !socket.isOpen) return socket.isOpen
    for (const [room, count] of rooms) {
      if (count > 0) socket.sendBytes(encodeFrame({ id: 0, roomEvent: { room, dropped: { count } } }))
    }
    log.info('room member drained; told it how many room frames it missed', { user: socket.user, deviceId: socket.deviceId })
    return true
  }

  private checkDrained(): void {
    for (const socket of [...this.lagging.keys()]) {
      if (!socket.isOpen) this.lagging.delete(socket)
      else if (socket.unsentBytes <= ROOM_SOCKET_RESUME_BYTES) this.resume(socket)
    }
    if (this.lagging.size === 0 && this.drainTimer) {
      clearInterval(this.drainTimer)
      this.drainTimer = null
    }
  }
}
