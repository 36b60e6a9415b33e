// Owns the IPC messages between the fault harness and its client child (test/fault/client-child.ts): what the
// parent asks (send, mark read, snapshot) and what the child reports (ready, stored, acked, snapshot, failure).
import type { ClientTimings } from '../../src/main/core/types'
import type { DeviceSnapshot } from './snapshot'

/** The child's whole configuration (its first IPC message). */
export interface ChildConfig {
  serverUrl: string
  deviceId: string
  dataDir: string
  user: string
  password: string
  timings: Partial<ClientTimings>
}

export type ParentMessage =
  /** A warm child (spawned ahead, see ChildPool) waits for its configuration in this message. */
  | { type: 'start'; config: ChildConfig }
  | { type: 'send'; to: string; text: string }
  | { type: 'markRead'; conversationId: string }
  | { type: 'snapshot' }

export type ChildMessage =
  /** Loaded and listening: the parent may send 'start'. */
  | { type: 'waiting' }
  | { type: 'ready'; resumed: boolean }
  /** sendText resolved: the message is in the child's outbox (stored durably on the device). */
  | { type: 'stored'; id: string; text: string }
  /** An outgoing message reached status 'sent' (the server acked it). */
  | { type: 'acked'; id: string; text: string }
  | { type: 'snapshot'; snapshot: DeviceSnapshot }
  | { type: 'failed'; message: string }
