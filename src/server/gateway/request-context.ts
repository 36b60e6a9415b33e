// Owns the contract between a connection and the request dispatcher: what a request handler may see and do on the
// connection (RequestContext) and the services it uses. Both session.ts and dispatch.ts depend on it, not on each other.
import type { CloseCode, DecodedFrame, ErrorCode, Frame } from '../../shared/proto/codec'
import type { TokenGrant, TokenService } from '../auth/tokens'
import type { ResolvedConfig } from '../config'
import type { ContactsService } from '../services/contacts'
import type { GroupsService } from '../services/groups'
import type { MessageService } from '../services/messages'
import type { MessageOpsService } from '../services/message-ops'
import type { ProfilesService } from '../services/profiles'
import type { ReceiptsService } from '../services/receipts'
import type { RoomService } from '../services/rooms/service'
import type { SyncService } from '../services/sync'
import type { ReactionsService } from '../services/reactions'
import type { DevicesService } from '../services/devices'
import type { ServerStore } from '../store/types'
import type { LiveConnections } from '../services/fanout'
import type { OnlineRegistry } from './online-registry'

/** The services behind the gateway, shared by every connection. */
export interface GatewayServices {
  config: ResolvedConfig
  tokens: TokenService
  store: ServerStore
  /** This node's connections (a connection registers and leaves here). */
  registry: OnlineRegistry
  /** Pushes and kicks for every node's connections (cluster/delivery.ts; the registry itself on one node). */
  live: LiveConnections
  messages: MessageService
  sync: SyncService
  rooms: RoomService
  contacts: ContactsService
  profiles: ProfilesService
  groups: GroupsService
  /** Recall, edit, clear on other devices, self-destruct (services/message-ops). */
  messageOps: MessageOpsService
  reactions: ReactionsService
  devices: DevicesService
  receipts: ReceiptsService
}

/** One authenticated connection as a request handler sees it. */
export interface RequestContext {
  readonly user: string
  /** The device id given at auth; null when the device gave none (an anonymous connection). */
  readonly givenDeviceId: string | null
  /** The token this connection is authenticated with, and its device session. */
  readonly grant: TokenGrant
  /** The device id the connection is registered under (given, or a generated one for anonymous connections). */
  readonly deviceId: string
  readonly isOpen: boolean
  /** Bytes written to the socket that the kernel has not taken yet (room fan-out drops frames above a bound). */
  readonly unsentBytes: number
  /** Writes an already encoded frame (a room frame is encoded once for all its members). */
  sendBytes(bytes: Uint8Array): void
  /** Queues a fan-out's frame, written in a coming slice of the gateway in order with the rest. */
  queueBytes(bytes: Uint8Array): void
  sendFrame(frame: Frame): void
  sendError(id: number, code: ErrorCode, message: string): void
  /** Switches the connection to a rotated or newly adopted token and re-arms its expiry timers. */
  adoptGrant(grant: TokenGrant): void
  close(code: CloseCode, reason: string): void
  /** Drops the connection without a close handshake (the test hook's simulated cut). */
  terminate(): void
}

export type RequestDispatcher = (context: RequestContext, frame: DecodedFrame) => Promise<void>
