// Owns whether this node should get traffic (/readyz): not while it drains, not while PostgreSQL does not answer
// (probed with a one-connection pg pool on the main thread, the answer cached briefly so probes cost nothing).
import pg from 'pg'
import { createLogger } from '../../shared/logger'
import { redactUrl } from '../cluster/bus'

const log = createLogger('server:readiness')

/** A probe answer is reused this long: load balancers probe every second or so, from several places. */
export const READY_CACHE_MS = 1_000
/** A PostgreSQL that takes longer than this to answer `SELECT 1` counts as unreachable. */
export const READY_PROBE_TIMEOUT_MS = 2_000

export interface ReadinessAnswer {
  ready: boolean
  /** Why not, as a sentence (null when ready). */
  reason: string | null
}

export interface Readiness {
  readonly draining: boolean
  /** From now on the node answers not ready (SIGTERM: the drain has begun). */
  startDrain(): void
  check(): Promise<ReadinessAnswer>
  close(): Promise<void>
}

/** `databaseUrl` null: the SQLite store is in this process; only the drain makes the node not ready. */
export function createReadiness(databaseUrl: string | null): Readiness {
  const pool = databaseUrl
    ? new pg.Pool({
        connectionString: databaseUrl,
        max: 1,
        connectionTimeoutMillis: READY_PROBE_TIMEOUT_MS,
        query_timeout: READY_PROBE_TIMEOUT_MS,
        idleTimeoutMillis: 30_000,
        application_name: 'parley-readiness'
      })
    : null
  // An idle client that loses its connection emits here; the next probe reports it.
  pool?.on('error', (err) => log.debug('readiness connection lost', { error: err.message }))
  let draining = false
  let cached: { answer: ReadinessAnswer; at: number } | null = null
  let probing: Promise<ReadinessAnswer> | null = null

  const probe = async (): Promise<ReadinessAnswer> => {
    if (!pool) return { ready: true, reason: null }
    try {
      await pool.query('SELECT 1')
      return { ready: true, reason: null }
    } catch (err) {
      const reason = `PostgreSQL at ${redactUrl(databaseUrl ?? '')} does not answer (${err instanceof Error ? err.message : String(err)}).`
      log.warn('not ready', { reason })
      return { ready: false, reason }
    }
  }

  return {
    get draining() {
      return draining
    },
    startDrain() {
      draining = true
    },
    async check() {
      if (draining) return { ready: false, reason: 'This node is draining (shutting down); use another one.' }
      if (cached && Date.now() - cached.at < READY_CACHE_MS) return cached.answer
      probing ??= probe().then((answer) => {
        cached = { answer, at: Date.now() }
        probing = null
        return answer
      })
      return probing
    },
    async close() {
      await pool?.end().catch(() => {})
    }
  }
}
