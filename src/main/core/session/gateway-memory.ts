// Owns remembering which gateway address last worked (cluster fail-over): when the connection authenticates on
// another address of a multi-address list, the session's sign-in is saved again so the next start tries it first.
import { createLogger } from '../../../shared/logger'
import type { Connection } from '../net/connection'
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
