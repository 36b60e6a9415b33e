// Owns the PostgreSQL connection of one store thread (the node's writer): runs the queries the store thread hands
// over one at a time with `pg`, answers each through the port, and reconnects after the connection is lost.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import pg from 'pg'
import { ANSWER_FLAG, type IoAnswer, type IoControl, type IoInit, type IoQuery } from './io-protocol'

/** PostgreSQL type ids read into plain JavaScript numbers (the store's values are ms times, counts, seqs: < 2^53). */
const INT8_OID = 20
const NUMERIC_OID = 1700
const BOOL_OID = 16
/** How long a connection attempt may take before the query fails (and the caller retries later). */
const CONNECT_TIMEOUT_MS = 5_000
/**
 * After a failed connection attempt, statements fail at once for this long instead of each trying again: where
 * PostgreSQL's host does not answer at all, every queued store call would otherwise wait out its own connect timeout.
 */
const RECONNECT_PAUSE_MS = 1_000

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

/** What a statement does to the connection's transaction, read from its text (the store's own control statements). */
function transactionEffect(text: string): 'begin' | 'end' | null {
  const head = text.trimStart().slice(0, 20).toUpperCase()
  if (head.startsWith('BEGIN') || head.startsWith('START TRANSACTION')) return 'begin'
  if (head.startsWith('ROLLBACK TO')) return null
  if (head.startsWith('COMMIT') || head.startsWith('ROLLBACK') || head.startsWith('END')) return 'end'
  return null
}

/** One connection to PostgreSQL and whether a transaction is open on it. */
interface Link {
  client: pg.Client
  inTransaction: boolean
}

const LOST_IN_TRANSACTION =
  'The connection to PostgreSQL was lost in the middle of a transaction; PostgreSQL rolled the transaction back.'

function serve(init: IoInit, port: MessagePort): void {
  let link: Link | null = null
  let connecting: Promise<Link> | null = null
  /**
   * A transaction's connection was lost while idle: the next statement of that transaction must fail, not run on a
   * new connection outside any transaction (its half of the work would commit alone, without the write lock).
   * Cleared once the store thread has been told (sync-connection.ts then fails the rest of the transaction).
   */
  let transactionLost = false

  /** Forgets a connection that is gone (or given up on); its open transaction, if any, is lost with it. */
  const drop = (lost: Link): void => {
    if (link !== lost) return
    link = null
    if (lost.inTransaction) transactionLost = true
    lost.client.end().catch(() => {})
  }

  /** The last failed connection attempt, answered again to the statements of the pause after it. */
  let connectFailure: { at: number; error: unknown } | null = null

  const connect = (): Promise<Link> => {
    if (link) return Promise.resolve(link)
    if (connectFailure && Date.now() - connectFailure.at < RECONNECT_PAUSE_MS) return Promise.reject(connectFailure.error)
    connecting ??= (async () => {
      const client = new pg.Client({
        connectionString: init.url,
        types: parsers,
        application_name: init.applicationName,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS
      })
      const next: Link = { client, inTransaction: false }
      // A connection dropped while idle (PostgreSQL stopped) is forgotten here; the error event must not end the thread.
      client.on('error', () => drop(next))
      try {
        await client.connect()
      } catch (err) {
        client.end().catch(() => {})
        connectFailure = { at: Date.now(), error: err }
        throw err
      }
      connectFailure = null
      link = next
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
  const lostAnswer = (id: number, message: string): void => answer({ id, ok: false, message, code: null, connectionLost: true })

  const run = (query: IoQuery): void => {
    const effect = query.begin ? 'begin' : transactionEffect(query.text)
    if (transactionLost) {
      // Told once: the store thread then knows its transaction is gone (and ends it or starts another).
      transactionLost = false
      // A ROLLBACK has nothing left to undo (PostgreSQL rolled back); a BEGIN starts afresh on a new connection.
      if (effect === 'end' && /^\s*ROLLBACK/i.test(query.text)) {
        answer({ id: query.id, ok: true, rows: [], rowCount: 0 })
        return
      }
      if (effect !== 'begin') {
        lostAnswer(query.id, LOST_IN_TRANSACTION)
        return
      }
    }
    let used: Link | null = null
    connect()
      .then(async (current) => {
        used = current
        if (query.begin) {
          await current.client.query(query.begin)
          // Open from here on, even if the statement below fails (the transaction is then aborted, still open).
          current.inTransaction = true
        }
        return current.client.query(
          query.name ? { name: query.name, text: query.text, values: query.values } : { text: query.text, values: query.values }
        )
      })
      .then(
        (result) => {
          if (used && effect) used.inTransaction = effect === 'begin'
          // Several statements in one text (the simple protocol, no parameters) answer one result each: the last counts.
          const last = (Array.isArray(result) ? result[result.length - 1] : result) as pg.QueryResult | undefined
          answer({ id: query.id, ok: true, rows: (last?.rows ?? []) as Record<string, unknown>[], rowCount: last?.rowCount ?? 0 })
        },
        (err: unknown) => {
          const lost = isConnectionLoss(err)
          if (lost && used) {
            drop(used)
            // This answer itself tells the store thread that its transaction is gone.
            transactionLost = false
          }
          answer({
            id: query.id,
            ok: false,
            message: err instanceof Error ? err.message : String(err),
            code: (err as { code?: string }).code ?? null,
            connectionLost: lost
          })
        }
      )
  }

  port.on('message', (message: IoQuery | IoControl) => {
    if ('reset' in message) {
      // Not answered: the store thread no longer waits. The transaction ends with the connection, lock and all.
      if (link) drop(link)
      return
    }
    if ('close' in message) {
      const current = link
      link = null
      void (current?.client.end().catch(() => {}) ?? Promise.resolve()).then(() =>
        answer({ id: message.id, ok: true, rows: [], rowCount: 0 })
      )
      return
    }
    run(message)
  })
}

if (!parentPort) throw new Error('pg-io-thread runs only as a worker thread (see sync-connection.ts).')
const init = workerData as IoInit
parentPort.once('message', (message: { port: MessagePort }) => serve(init, message.port))
