// Owns one node's operations wiring: readiness, metrics, the bus lag probe, the gateway list of the login answer,
// and the drain (SIGTERM): not ready at once, no new sockets, clients told to move, commits finished, then stop.
import type { IncomingHttpHeaders } from 'node:http'
import { createLogger } from '../../shared/logger'
import type { ClusterBus } from '../cluster/bus'
import { startBusLagProbe } from '../cluster/bus-lag'
import { ownGateway, parseGateways } from '../cluster/gateways'
import type { StoreStats } from '../store/types'
import { createServerMetrics, type ServerMetrics } from './metrics'
import { createReadiness, type Readiness } from './readiness'

const log = createLogger('server:ops')

/**
 * After its clients are gone and its commits done, a draining node keeps answering /readyz (503) this long before it
 * stops listening, so a load balancer's next probe sees it leave rather than a refused connection.
 */
export const DRAIN_LINGER_MS = 1_000

/** What the options and the environment set, read (and refused with a sentence) before anything opens. */
export interface NodeOpsSettings {
  /** ServerOptions.gateways, else PARLEY_GATEWAYS; null: this node's own address as each request reached it. */
  gateways: string[] | null
  /** ServerOptions.drainLingerMs, else PARLEY_DRAIN_LINGER_MS, else DRAIN_LINGER_MS. */
  drainLingerMs: number
}

export interface NodeOpsInput {
  databaseUrl: string | null
  wsPath: string
  bus: ClusterBus
  storeStats(): Promise<StoreStats>
  connections(): number
}

/** What the drain runs, in order (index.ts owns the parts). */
export interface DrainSteps {
  stopAccepting(): void
  finishCommits(): Promise<void>
  moveClients(): Promise<void>
  close(): Promise<void>
}

/** What the HTTP app server takes (api/ops-routes.ts AppOpsDeps). */
export interface NodeOpsForApp {
  readiness: Readiness
  metrics: ServerMetrics
  gatewaysFor(headers: IncomingHttpHeaders, encrypted: boolean): string[]
}

export interface NodeOps {
  readonly readiness: Readiness
  readonly metrics: ServerMetrics
  readonly app: NodeOpsForApp
  /** Starts what runs by itself (the bus lag probe); before it nothing needs close(). */
  start(): void
  drain(steps: DrainSteps): Promise<void>
  close(): Promise<void>
}

function lingerFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DRAIN_LINGER_MS
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) throw new Error(`PARLEY_DRAIN_LINGER_MS must be a number of milliseconds (0 or more), not "${raw}".`)
  return value
}

export function nodeOpsSettings(
  options: { gateways?: readonly string[]; drainLingerMs?: number },
  env: Readonly<Record<string, string | undefined>>
): NodeOpsSettings {
  return {
    gateways: options.gateways ? [...options.gateways] : parseGateways(env['PARLEY_GATEWAYS']),
    drainLingerMs: options.drainLingerMs ?? lingerFromEnv(env['PARLEY_DRAIN_LINGER_MS'])
  }
}

/** Never throws; holds nothing (the readiness pool connects at the first probe) until start(). */
export function createNodeOps(settings: NodeOpsSettings, input: NodeOpsInput): NodeOps {
  const configured = settings.gateways
  const lingerMs = settings.drainLingerMs
  const readiness = createReadiness(input.databaseUrl)
  const metrics = createServerMetrics({
    storeStats: input.storeStats,
    busStats: () => input.bus.stats(),
    busConnected: () => input.bus.connected,
    draining: () => readiness.draining,
    connections: input.connections
  })
  let stopLagProbe = (): void => {}
  return {
    readiness,
    metrics,
    app: {
      readiness,
      metrics,
      gatewaysFor: (headers: IncomingHttpHeaders, encrypted: boolean) => configured ?? ownGateway(headers, encrypted, input.wsPath)
    },
    start() {
      stopLagProbe = startBusLagProbe(input.bus, (seconds) => metrics.busLagObserved(seconds))
    },
    async drain(steps) {
      const started = Date.now()
      readiness.startDrain()
      steps.stopAccepting()
      log.info('draining: no new connections; telling clients to move')
      await steps.finishCommits()
      await steps.moveClients()
      // What arrived while the sockets closed is committed too (its sender resends it elsewhere; de-duplicated).
      await steps.finishCommits()
      log.info('drained', { ms: Date.now() - started })
      if (lingerMs > 0) await new Promise((resolve) => setTimeout(resolve, lingerMs))
      await steps.close()
    },
    async close() {
      stopLagProbe()
      await readiness.close()
    }
  }
}
