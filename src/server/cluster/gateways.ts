// Owns the gateway list the login answer gives clients (PARLEY_GATEWAYS: the seed's "HttpDNS"): parsing it, and the
// default when it is not set, this node's own WebSocket address as the client reached it.
import type { IncomingHttpHeaders } from 'node:http'

/** More addresses than this is a configuration mistake (a client tries them one by one). */
export const MAX_GATEWAYS = 32

export class GatewaysConfigError extends Error {
  readonly code = 'GATEWAYS_INVALID'
  constructor(message: string) {
    super(message)
    this.name = 'GatewaysConfigError'
  }
}

/** `ws://a:3210/ws,wss://b/ws` → the addresses in order; empty or absent → null (the default applies). */
export function parseGateways(raw: string | undefined | null): string[] | null {
  const entries = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
  if (entries.length === 0) return null
  if (entries.length > MAX_GATEWAYS) throw new GatewaysConfigError(`PARLEY_GATEWAYS lists ${entries.length} addresses; at most ${MAX_GATEWAYS} are allowed.`)
  return entries.map((entry) => {
    let url: URL
    try {
      url = new URL(entry)
    } catch {
      throw new GatewaysConfigError(`PARLEY_GATEWAYS has "${entry}", which is not an address; use ws://host:port/ws or wss://host/ws.`)
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
      throw new GatewaysConfigError(`PARLEY_GATEWAYS has "${entry}"; each address must start with ws:// or wss://.`)
    }
    return url.toString()
  })
}

/** The header a TLS-terminating proxy sets to the scheme the client used. */
const FORWARDED_PROTO = 'x-forwarded-proto'

/**
 * This node's WebSocket address as the request reached it (host header; wss behind a TLS proxy that says so), the
 * default list when PARLEY_GATEWAYS is not set: the client keeps using the one server it signed in to.
 */
export function ownGateway(headers: IncomingHttpHeaders, encrypted: boolean, wsPath: string): string[] {
  const host = headers.host
  if (!host) return []
  const forwarded = headers[FORWARDED_PROTO]
  const scheme = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim()
  const secure = scheme ? scheme === 'https' || scheme === 'wss' : encrypted
  return [`${secure ? 'wss' : 'ws'}://${host}${wsPath}`]
}
