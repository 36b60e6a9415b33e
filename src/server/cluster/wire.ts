// Owns the byte format of what nodes tell each other on the bus (cluster/delivery.ts): pushes with their log seq,
// membership changes, sign-out kicks, "log moved to seq N" notices and contacts cache invalidations.
import { decodeFrame } from '../../shared/proto/codec'

/** Channel of a user: pushes to their devices, their membership changes, kicks of their sessions. */
export const userChannel = (user: string): string => `u:${user}`
/** Channel of a group: its entries (and other group frames) for the sessions subscribed to it. */
export const groupChannel = (group: string): string => `g:${group}`
/** Every node's channel for contacts verdict cache invalidations. */
export const CONTACTS_CHANNEL = 'contacts'

/** A notice on the bus; `frame` messages carry an encoded protocol frame after the header. */
export type BusNotice =
  /** A frame for the channel's user or group; `seq` > 0 when it is that log's entry. */
  | { kind: 'frame'; seq: number }
  /** The log of the channel's user or group has entries up to `seq` (a dropped push is owed): re-check it. */
  | { kind: 'moved'; seq: number }
  | { kind: 'join'; group: string }
  | { kind: 'leave'; group: string }
  | { kind: 'drop' }
  /**
   * The user's device `deviceId` connected to node `node` at `at` (ms, that node's clock): a connection of it here
   * that authenticated before (`replacedBy`) is replaced. A notice without `at` (an older node's) replaces any.
   */
  | { kind: 'device'; deviceId: string; at?: number; node?: string }
  /** End the user's sessions (ids, or all of them except `exceptSession`), as OnlineSession.endRevoked does. */
  | { kind: 'kick'; sessionIds: string[] | 'all'; exceptSession: string | null; message: string; code: number | null; why: string | null }
  /** Forget the cached send verdicts of the pair (`b` set) or of every pair involving `a` (`b` null). */
  | { kind: 'contacts'; a: string; b: string | null }

/**
 * Whether a connection that authenticated at `at` on node `node` is replaced by a `device` notice: it is when the
 * notice's connection is the newer one (a tie, same millisecond on two nodes, is broken by the node ids, so exactly
 * one of the two connections stays). The clocks are the nodes' own: run NTP, as the bus lag metric assumes.
 */
export function replacedBy(at: number, node: string, notice: Extract<BusNotice, { kind: 'device' }>): boolean {
  if (typeof notice.at !== 'number' || typeof notice.node !== 'string') return true
  return at < notice.at || (at === notice.at && node < notice.node)
}

export interface DecodedNotice {
  notice: BusNotice
  /** The encoded frame of a `frame` notice (empty for the others). */
  frame: Uint8Array
}

/** [header length: u32 BE][header: JSON][frame bytes]. JSON keeps the rare notices readable; frames stay binary. */
export function encodeNotice(notice: BusNotice, frame?: Uint8Array): Uint8Array {
  const header = Buffer.from(JSON.stringify(notice), 'utf8')
  const out = Buffer.allocUnsafe(4 + header.length + (frame?.length ?? 0))
  out.writeUInt32BE(header.length, 0)
  header.copy(out, 4)
  if (frame) out.set(frame, 4 + header.length)
  return out
}

/** Null for bytes that are not a notice (another version's, or damaged): the receiver ignores them. */
export function decodeNotice(payload: Buffer): DecodedNotice | null {
  if (payload.length < 4) return null
  const headerLength = payload.readUInt32BE(0)
  if (payload.length < 4 + headerLength) return null
  try {
    const notice = JSON.parse(payload.subarray(4, 4 + headerLength).toString('utf8')) as BusNotice
    if (typeof notice !== 'object' || notice === null || typeof notice.kind !== 'string') return null
    return { notice, frame: payload.subarray(4 + headerLength) }
  } catch {
    return null
  }
}

/** The log seq a pushed frame carries: a user-log event's or a group entry's; 0 for frames outside the logs. */
export function frameLogSeq(frame: Uint8Array): number {
  const decoded = decodeFrame(frame)
  if (!decoded.ok) return 0
  const body = decoded.frame
  if (body.event) return Number(body.event.seq ?? 0)
  if (body.groupEntry) return Number(body.groupEntry.seq ?? 0)
  return 0
}
