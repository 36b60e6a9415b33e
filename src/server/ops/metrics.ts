// Owns this node's Prometheus metrics (/metrics): one prom-client registry per server instance (tests run several in
// one process), fed by the gateway's connections, the sends, the store's commits and the cluster bus.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { BusStats } from '../cluster/bus'
import type { ServerStore, StoreStats } from '../store/types'
import type { MessageService } from '../services/messages'

/** Every metric name starts with this. */
export const METRICS_PREFIX = 'parley_'
/** Commit round trips: a group commit on local SQLite takes ~1-5 ms, on PostgreSQL over a network a few more. */
const COMMIT_BUCKETS_SEC = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
/** Bus delivery between nodes: sub-millisecond on one host, a few ms across a data centre. */
const BUS_LAG_BUCKETS_SEC = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]
/** The store's stats answer one scrape (all its gauges ask at once), not the next one. */
const STORE_STATS_REUSE_MS = 500

export interface MetricSources {
  connections(): number
  storeStats(): Promise<StoreStats>
  busStats(): BusStats
  busConnected(): boolean
  draining(): boolean
}

export interface ServerMetrics {
  readonly contentType: string
  sendAnswered(ok: boolean): void
  /** One group commit of `messages` sends took `seconds` (from the main thread's call to its answer). */
  commitTimed(messages: number, seconds: number): void
  /** A bus probe from another node arrived `seconds` after it was published. */
  busLagObserved(seconds: number): void
  /** The text exposition format. */
  render(): Promise<string>
}

/** A counter whose value is read from elsewhere at scrape time (the bus keeps its own counts). */
function mirroredCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset()
      this.inc(read())
    }
  })
}

export function createServerMetrics(sources: MetricSources): ServerMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX })
  new Gauge({
    name: `${METRICS_PREFIX}connections`,
    help: 'Open WebSocket connections on this node (devices, and sockets not yet authenticated).',
    registers: [registry],
    collect() {
      this.set(sources.connections())
    }
  })
  const sends = new Counter({
    name: `${METRICS_PREFIX}sends_total`,
    help: 'Send requests answered, by result (ok: stored and acked; refused: a clear error was answered).',
    labelNames: ['result'],
    registers: [registry]
  })
  const commits = new Histogram({
    name: `${METRICS_PREFIX}send_commit_seconds`,
    help: 'Time of one group commit of sends, from the call to the store until it is durable.',
    buckets: COMMIT_BUCKETS_SEC,
    registers: [registry]
  })
  const committed = new Counter({
    name: `${METRICS_PREFIX}messages_committed_total`,
    help: 'Messages written by group commits on this node.',
    registers: [registry]
  })
  const busLag = new Histogram({
    name: `${METRICS_PREFIX}bus_lag_seconds`,
    help: "Delay from another node's bus probe publication to its arrival here (clock skew between hosts included).",
    buckets: BUS_LAG_BUCKETS_SEC,
    registers: [registry]
  })
  // prom-client collects every metric of a scrape at once: one stats call serves all the store gauges of it.
  let stats: { at: number; answer: Promise<StoreStats | null> } | null = null
  const storeStats = (): Promise<StoreStats | null> => {
    if (!stats || Date.now() - stats.at > STORE_STATS_REUSE_MS) stats = { at: Date.now(), answer: sources.storeStats().catch(() => null) }
    return stats.answer
  }
  const storeGauge = (name: string, help: string, read: (stats: StoreStats) => number): void => {
    new Gauge({
      name: `${METRICS_PREFIX}${name}`,
      help,
      registers: [registry],
      async collect() {
        const current = await storeStats()
        if (current) this.set(read(current))
      }
    })
  }
  storeGauge('store_commit_p50_seconds', "Median COMMIT time of the store's recent append transactions.", (s) => s.fsyncP50Ms / 1000)
  storeGauge('store_commit_p99_seconds', "99th percentile COMMIT time of the store's recent append transactions.", (s) => s.commitP99Ms / 1000)
  storeGauge('store_messages_per_commit', 'Messages per append transaction since the store opened (group commit size).', (s) => s.messagesPerCommit)
  mirroredCounter(registry, `${METRICS_PREFIX}bus_published_total`, 'Payloads this node published on the cluster bus.', () => sources.busStats().published)
  mirroredCounter(registry, `${METRICS_PREFIX}bus_received_total`, "Other nodes' payloads this node received.", () => sources.busStats().received)
  mirroredCounter(
    registry,
    `${METRICS_PREFIX}bus_dropped_total`,
    'Payloads not published because the bus was down (receivers catch up from their cursors).',
    () => sources.busStats().droppedWhileDown
  )
  mirroredCounter(registry, `${METRICS_PREFIX}bus_reconnects_total`, 'Times the bus connection came back after an outage.', () => sources.busStats().reconnects)
  new Gauge({
    name: `${METRICS_PREFIX}bus_connected`,
    help: '1 while the cluster bus can publish (always 1 on a single node).',
    registers: [registry],
    collect() {
      this.set(sources.busConnected() ? 1 : 0)
    }
  })
  new Gauge({
    name: `${METRICS_PREFIX}draining`,
    help: '1 from the moment this node began to drain (SIGTERM).',
    registers: [registry],
    collect() {
      this.set(sources.draining() ? 1 : 0)
    }
  })

  return {
    contentType: registry.contentType,
    sendAnswered: (ok) => sends.inc({ result: ok ? 'ok' : 'refused' }),
    commitTimed(messages, seconds) {
      commits.observe(seconds)
      committed.inc(messages)
    },
    busLagObserved: (seconds) => busLag.observe(Math.max(0, seconds)),
    render: () => registry.metrics()
  }
}

/** The store with its group commits timed into `metrics` (every other call passes straight through). */
export function timedStore(store: ServerStore, metrics: ServerMetrics): ServerStore {
  const appendMessages: ServerStore['appendMessages'] = async (messages) => {
    const started = performance.now()
    const results = await store.appendMessages(messages)
    metrics.commitTimed(messages.length, (performance.now() - started) / 1000)
    return results
  }
  return new Proxy(store, {
    get: (target, property, receiver) => (property === 'appendMessages' ? appendMessages : Reflect.get(target, property, receiver))
  })
}

/** The message service with each send's answer counted into `metrics` (ok or refused). */
export function countedSends(messages: MessageService, metrics: ServerMetrics): MessageService {
  return {
    async send(sender, request, origin) {
      const outcome = await messages.send(sender, request, origin)
      metrics.sendAnswered(outcome.ok)
      return outcome
    },
    drain: () => messages.drain()
  }
}
