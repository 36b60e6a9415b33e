// Owns what a session keeps of the gateway list (cluster fail-over): the address that last worked, saved with the
// sign-in when it changes, and the HTTP address of the node the socket is on, which the attachment routes follow.
import { createLogger } from '../../../shared/logger'
import type { Agent } from 'node:http'
import type { HttpTarget } from '../attachments/http'
import type { Connection } from '../net/connection'
import { gatewayUrl, httpBaseOfGateway } from '../net/gateway-list'
import type { GatewayFacts } from '../types'

const log = createLogger('core:gateway-memory')

/** Keeps `facts.lastGoodGateway` current and calls `save` when it changed; returns the unsubscribe. */
export function rememberGatewayMoves(connection: Connection, facts: GatewayFacts, save: () => Promise<void> | undefined): () => void {
  return connection.on('gateway', (address) => {
    facts.lastGoodGateway = address
    if ((facts.gateways?.length ?? 0) < 2) return // one address: nothing to choose next time
    save()?.catch((err: unknown) => log.warn('could not save the last good gateway', { error: String(err) }))
  })
}

/**
 * The attachment routes' HTTP target: the sign-in address; with a list of several gateways, the node the socket is
 * on now, so uploads and downloads follow a fail-over instead of waiting for a dead node. One address: as before.
 */
export function followingHttpTarget(serverUrl: string, facts: GatewayFacts, connection: Connection, token: () => string, agent?: Agent): HttpTarget {
  const follow = (facts.gateways?.length ?? 0) > 1
  return {
    get baseUrl() {
      return follow ? httpBaseOfGateway(connection.gatewayAddress) : serverUrl
    },
    token,
    ...(agent ? { agent } : {})
  }
}

/**
 * The gateway facts worth saving with the sign-in: none when the list says nothing beyond the sign-in address (one
 * server: the saved sign-in stays exactly as it was before gateway lists existed).
 */
export function savedGatewayFacts(facts: GatewayFacts, serverUrl: string): GatewayFacts {
  const listed = facts.gateways ?? []
  if (listed.length === 0 || (listed.length === 1 && listed[0] === gatewayUrl(serverUrl))) return {}
  return { gateways: [...listed], lastGoodGateway: facts.lastGoodGateway ?? null }
}
