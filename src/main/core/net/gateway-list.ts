// Owns the order in which a device tries the gateway addresses the login answer listed (cluster fail-over): the last
// good one first, the next one when a node dies or drains, around the list again. Pure; the connection drives it.
import { CloseCode } from '../../../shared/proto/codec'

/** The WebSocket address of a server given by its app-server (http/https) address: the single-server case. */
export function gatewayUrl(serverUrl: string): string {
  const url = new URL(serverUrl)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  url.pathname = url.pathname.replace(/\/+$/, '') + '/ws'
  return url.toString()
}

/** The HTTP address of the node behind a gateway address (a node serves HTTP and /ws on one port). */
export function httpBaseOfGateway(gateway: string): string {
  const url = new URL(gateway)
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:'
  url.pathname = url.pathname.replace(/\/ws\/?$/, '/')
  return url.toString()
}

/** More addresses than a login answer may list (the server caps its own list lower). */
export const MAX_GATEWAY_ADDRESSES = 32

/** The ws(s):// addresses of a login answer's `gateways`, cleaned: strings only, valid, no repeats, capped. */
export function cleanGatewayAddresses(value: unknown): string[] {
  if (!Array.isArray(value)) return []
  const addresses: string[] = []
  for (const entry of value) {
    if (typeof entry !== 'string') continue
    let url: URL
    try {
      url = new URL(entry)
    } catch {
      continue
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') continue
    const address = url.toString()
    if (!addresses.includes(address)) addresses.push(address)
    if (addresses.length >= MAX_GATEWAY_ADDRESSES) break
  }
  return addresses
}

export class GatewayList {
  private readonly addresses: readonly string[]
  private index: number
  /** Addresses tried and failed since the last authenticated connection. */
  private failuresSinceSuccess = 0
  private lastGoodAddress: string | null

  /** `addresses` must not be empty; `lastGood` (remembered from an earlier run) is tried first when it is listed. */
  constructor(addresses: readonly string[], lastGood: string | null = null) {
    if (addresses.length === 0) throw new Error('a gateway list needs at least one address')
    this.addresses = [...addresses]
    const remembered = lastGood === null ? -1 : this.addresses.indexOf(lastGood)
    this.index = remembered >= 0 ? remembered : 0
    this.lastGoodAddress = remembered >= 0 ? lastGood : null
  }

  /** The address to connect to now. */
  get current(): string {
    return this.addresses[this.index] as string
  }

  get size(): number {
    return this.addresses.length
  }

  /** The address of the last authenticated connection (null before the first one). */
  get lastGood(): string | null {
    return this.lastGoodAddress
  }

  /** Every address has failed since the last success: the next attempt waits the usual backoff. */
  get roundFailed(): boolean {
    return this.failuresSinceSuccess >= this.addresses.length
  }

  /** The current address failed (refused, reset, died) or its node asked the client to move: on to the next. */
  moveOn(): string {
    this.failuresSinceSuccess += 1
    this.index = (this.index + 1) % this.addresses.length
    return this.current
  }

  /** Authenticated on the current address; returns true when it differs from the last good one (worth saving). */
  succeeded(): boolean {
    this.failuresSinceSuccess = 0
    const changed = this.lastGoodAddress !== this.current
    this.lastGoodAddress = this.current
    return changed
  }
}

/** WebSocket's close code for a link that ended without a close frame: refused, reset, a node killed. */
const CLOSE_ABNORMAL = 1006

/**
 * What a closed link means for the list: a draining node (CLOSE_MOVE_NOW) sends the client to the next address at
 * once; with more than one address, a node that refused or lost the link (1006) too: at once when the link had not
 * come up, after the usual first-reconnect window when it had (all its clients move together), with the usual backoff
 * once every address failed (`delayMs` null = the usual delay). One address: as before, except a drain's move is now.
 */
export function failoverAfterClose(list: GatewayList, closeCode: number, wasOnline: boolean): { moved: boolean; delayMs: number | null } {
  if (closeCode === CloseCode.CLOSE_MOVE_NOW) {
    list.moveOn()
    return { moved: true, delayMs: 0 }
  }
  if (closeCode !== CLOSE_ABNORMAL || list.size < 2) return { moved: false, delayMs: null }
  list.moveOn()
  return { moved: true, delayMs: wasOnline || list.roundFailed ? null : 0 }
}
