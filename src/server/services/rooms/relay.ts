// Owns room traffic between nodes (cluster mode): one bus channel per room that a node listens on while it has a
// socket there, what travels on it (a room frame, a member removed, the room gone), and what was lost while down.
import { createLogger } from '../../../shared/logger'
import type { ClusterBus } from '../../cluster/bus'

const log = createLogger('server:rooms')

/** What a node does with a relayed room frame besides writing it to its sockets in the room. */
export type RoomRelayAction =
  | { kind: 'frame' }
  /** The user is out of the room: their sockets here leave it (after the frame, when there is one). */
  | { kind: 'remove'; user: string }
  /** The room was deleted: everything this node keeps of it goes. */
  | { kind: 'forget' }
  /** The sending node could not relay `count` frames of the room while the bus was down. */
  | { kind: 'dropped'; count: number }

export type RoomRelayHandler = (room: string, action: RoomRelayAction, frame: Uint8Array | null) => void

export interface RoomRelayStats {
  /** Room frames not relayed to other nodes because the bus was down, since start. */
  crossNodeDropped: number
}

export interface RoomRelay {
  /** Sends the action (with the room frame, when there is one) to the other nodes listening on the room. */
  publish(room: string, action: RoomRelayAction, frame?: Uint8Array): void
  /** Listens on the room (idempotent); `unlisten` stops. */
  listen(room: string): void
  unlisten(room: string): void
  stats(): RoomRelayStats
  close(): void
}

/** The room channel's name on the bus. */
const channelOf = (room: string): string => `room:${room}`
/** Bytes of the header length that starts every relayed payload. */
const HEADER_LENGTH_BYTES = 2

/** Payload: [header length: u16][header: JSON of {room, action}][the room frame, possibly empty]. */
function encodeRelayed(room: string, action: RoomRelayAction, frame?: Uint8Array): Buffer {
  const header = Buffer.from(JSON.stringify({ room, action }), 'utf8')
  const length = Buffer.alloc(HEADER_LENGTH_BYTES)
  length.writeUInt16BE(header.length)
  return Buffer.concat([length, header, frame ?? new Uint8Array(0)])
}

function decodeRelayed(payload: Buffer): { room: string; action: RoomRelayAction; frame: Uint8Array | null } | null {
  if (payload.length < HEADER_LENGTH_BYTES) return null
  const length = payload.readUInt16BE(0)
  if (payload.length < HEADER_LENGTH_BYTES + length) return null
  try {
    const header = JSON.parse(payload.subarray(HEADER_LENGTH_BYTES, HEADER_LENGTH_BYTES + length).toString('utf8')) as {
      room?: unknown
      action?: RoomRelayAction
    }
    if (typeof header.room !== 'string' || typeof header.action?.kind !== 'string') return null
    const frame = payload.subarray(HEADER_LENGTH_BYTES + length)
    return { room: header.room, action: header.action, frame: frame.length > 0 ? frame : null }
  } catch {
    return null
  }
}

/**
 * `received`: a relayed action from another node. `reconnected`: the bus is back after an outage, with the frames of
 * each room this node could not relay meanwhile (the rooms where it may have missed frames are the caller's to know).
 */
export function createRoomRelay(
  bus: ClusterBus,
  received: RoomRelayHandler,
  reconnected: (unrelayedByRoom: ReadonlyMap<string, number>) => void
): RoomRelay {
  const listening = new Map<string, () => void>()
  /** Frames per room not relayed since the bus went down (told to the other nodes when it is back). */
  const unrelayed = new Map<string, number>()
  let crossNodeDropped = 0

  const stopReconnect = bus.onReconnect(() => {
    const lost = new Map(unrelayed)
    unrelayed.clear()
    for (const [room, count] of lost) bus.publish(channelOf(room), encodeRelayed(room, { kind: 'dropped', count }))
    reconnected(lost)
  })

  return {
    publish(room, action, frame) {
      if (!bus.connected) {
        // Rooms have no offline queue: the frame is lost for the other nodes, counted, and told once the bus is back.
        crossNodeDropped++
        unrelayed.set(room, (unrelayed.get(room) ?? 0) + 1)
        return
      }
      bus.publish(channelOf(room), encodeRelayed(room, action, frame))
    },
    listen(room) {
      if (listening.has(room)) return
      listening.set(
        room,
        bus.subscribe(channelOf(room), (payload, fromNode) => {
          const relayed = decodeRelayed(payload)
          if (!relayed || relayed.room !== room) {
            log.warn('ignored a room payload that does not decode', { room, fromNode })
            return
          }
          received(room, relayed.action, relayed.frame)
        })
      )
    },
    unlisten(room) {
      listening.get(room)?.()
      listening.delete(room)
    },
    stats: () => ({ crossNodeDropped }),
    close() {
      stopReconnect()
      for (const stop of listening.values()) stop()
      listening.clear()
    }
  }
}
