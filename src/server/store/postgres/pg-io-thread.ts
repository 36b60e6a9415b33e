// Owns the PostgreSQL connection of one store thread (the node's writer): runs the queries the store thread hands
// over one at a time with `pg`, answers each through the port, and reconnects after the connection is lost.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import pg from 'pg'
import { ANSWER_FLAG, type IoAnswer, type IoInit, type IoQuery } from './io-protocol'

/** PostgreSQL type ids read into plain JavaScript numbers (the store's values are ms times, counts, seqs: < 2^53). */
const INT8_OID = 20
const NUMERIC_OID = 1700
const BOOL_OID = 16
/** How long a connection attempt may take before the query fails (and the caller retries later). */
const CONNECT_TIMEOUT_MS = 5_000

const parsers = {
  getTypeParser(oid: number, format?: string): (value: string) => unknown {
    if (oid === INT8_OID || oid === NUMERIC_OID) return Number
    // SQLite answers comparisons and flags as 1 / 0; the store's code reads them that way.
    if (oid === BOOL_OID) return (value: string) => (value === 't' ? 1 : 0)
    return pg.types.getTypeParser(oid, format as 'text')
  }
}

/** Errors that mean the connection is gone (PostgreSQL restarted or unreachable), not that the query was wrong. */
function isConnectionLoss(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? ''
  return (
    code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' ||
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND'].includes(code) ||
    /Connection terminated|not queryable|connection timeout/i.test(err instanceof Error ? err.message : '')
  )
}

function serve(init: IoInit, port: MessagePort): void {
  let client: pg.Client | null = null
  let connecting: Promise<pg.Client> | null = null

  const connect = (): Promise<pg.Client> => {
    if (client) return Promise.resolve(client)
    connecting ??= (async () => {
      const next = new pg.Client({
        connectionString: init.url,
        types: parsers,
        application_name: init.applicationName,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS
      })
      // A dropped connection is noticed by the next query; the error event must not end the thread.
      next.on('error', () => {
        if (client === next) client = null
      })
      try {
        await next.connect()
      } catch (err) {
        next.end().catch(() => {})
        throw err
      }
      client = next
      return next
    })().finally(() => {
      connecting = null
    })
    return connecting
  }

  const answer = (reply: IoAnswer): void => {
    port.postMessage(reply)
    Atomics.store(init.flag, ANSWER_FLAG, 1)
    Atomics.notify(init.flag, ANSWER_FLAG)
  }

  port.on('message', (query: IoQuery | { close: true }) => {
    if ('close' in query) {
      const current = client
      client = null
      void (current?.end().catch(() => {}) ?? Promise.resolve()).then(() => answer({ ok: true, rows: [], rowCount: 0 }))
      return
    }
    connect()
      .then((connection) =>
        connection.query(query.name ? { name: query.name, text: query.text, values: query.values } : { text: query.text, values: query.values })
      )
      .then(
        (result) => answer({ ok: true, rows: result.rows as Record<string, unknown>[], rowCount: result.rowCount ?? 0 }),
        (err: unknown) => {
          const lost = isConnectionLoss(err)
          if (lost && client) {
            client.end().catch(() => {})
            client = null
          }
          answer({
            ok: false,
            message: err instanceof Error ? err.message : String(err),
            code: (err as { code?: string }).code ?? null,
            connectionLost: lost
          })
        }
      )
  })
}

if (!parentPort) throw new Error('pg-io-thread runs only as a worker thread (see sync-connection.ts).')
const init = workerData as IoInit
parentPort.once('message', (message: { port: MessagePort }) => serve(init, message.port))
