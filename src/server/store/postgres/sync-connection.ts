// Owns the store's PostgreSQL connection as the synchronous SqlConnection the store's modules are written against:
// each statement is handed to the I/O thread (pg-io-thread.ts) and this thread sleeps until the answer is posted.
import { MessageChannel, receiveMessageOnPort, type Worker } from 'node:worker_threads'
import { startWorkerEntry } from '../../../shared/worker-supervisor'
import type { SqlConnection, SqlRunResult, SqlStatement, SqlTransaction } from '../sql-connection'
import { toPostgres } from './dialect'
import { ANSWER_FLAG, type IoAnswer, type IoControl, type IoInit, type IoQuery } from './io-protocol'

/** How long one statement may take before the store gives up on it (PostgreSQL gone, or a lock never granted). */
const STATEMENT_ANSWER_TIMEOUT_MS = 30_000
/**
 * The advisory lock every writing transaction takes first: the nodes' writes are serialised as the single SQLite
 * writer's are, so the store's read-then-write steps (the next seq of a log, a check before a change) hold across
 * nodes. One lock is the first version; per-log locks are the way to let independent writes overlap.
 */
export const WRITE_LOCK_KEY = 0x5041524c // "PARL"

const LOST_TRANSACTION = 'The connection to PostgreSQL was lost during the transaction; PostgreSQL rolled it back.'

export class PostgresError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    /** The connection was lost (PostgreSQL restarted or unreachable): the call may be retried. */
    readonly connectionLost: boolean
  ) {
    super(message)
    this.name = 'PostgresError'
  }
}

export interface PostgresConnectionOptions {
  url: string
  applicationName?: string
}

/** Bound values as PostgreSQL takes them (SQLite takes booleans as 1 / 0 and any byte view as a blob). */
function toPgValue(value: unknown): unknown {
  if (value === undefined) return null
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  return value
}

/** The I/O thread's entry: `pg-io-thread.ts` beside this file in the sources, `pg-io-thread.js` beside the bundle. */
const IO_THREAD_BASENAME = 'pg-io-thread'

function ioThreadUrl(moduleUrl: string): URL {
  return new URL(`./${IO_THREAD_BASENAME}${moduleUrl.endsWith('.ts') ? '.ts' : '.js'}`, moduleUrl)
}

export interface PostgresSyncConnection extends SqlConnection {
  /** Runs one statement that is not a prepared one (DDL, BEGIN): rows of the answer. */
  execute(text: string, values?: unknown[]): Record<string, unknown>[]
  /** Runs `work` in one transaction: a snapshot for reads, or under the nodes' write lock. Nested calls join it. */
  atomically<T>(readOnly: boolean, work: () => T): T
  /** Times this thread waited on the I/O thread for an answer (each is at least one round trip to PostgreSQL). */
  readonly waits: number
}

export function openPostgresConnection(options: PostgresConnectionOptions): PostgresSyncConnection {
  const flag = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))
  const channel = new MessageChannel()
  const init: IoInit = { url: options.url, flag, applicationName: options.applicationName ?? 'parley-server' }
  let worker: Worker | null = startWorkerEntry(ioThreadUrl(import.meta.url), init)
  worker.postMessage({ port: channel.port2 }, [channel.port2])
  worker.unref()
  channel.port1.unref()

  let depth = 0
  let savepoints = 0
  /**
   * The open transaction's connection was lost: the server rolled it back, so whatever the caller still sends for it
   * fails (a statement run now would commit alone, outside the transaction) until it ends: a ROLLBACK, a new BEGIN,
   * or the outermost atomically() returning.
   */
  let transactionLost = false
  const statementNames = new Map<string, string>()
  /**
   * The open transaction's BEGIN, not sent yet: it goes with the transaction's first statement (one hand-over to the
   * I/O thread fewer per transaction; for a write, the first statement runs as soon as the lock is granted).
   */
  let deferredBegin: string | null = null
  /** The open transaction only reads: its COMMIT ends the snapshot, and nothing waits for its answer. */
  let readOnlyOpen = false

  let lastId = 0
  let waits = 0

  /**
   * Hands one message to the I/O thread and sleeps until its answer. An answer carrying another id belongs to a
   * statement given up on earlier and is dropped. On a timeout the I/O thread is told to drop its connection: the
   * transaction (and the nodes' write lock it may hold) must end with it, not live on under the next statement.
   */
  const ask = (message: Omit<IoQuery, 'id'> | { close: true }): IoAnswer => {
    if (!worker) throw new PostgresError('The PostgreSQL connection is closed.', null, false)
    const id = ++lastId
    waits++
    channel.port1.postMessage({ ...message, id } satisfies IoQuery | IoControl)
    const deadline = Date.now() + STATEMENT_ANSWER_TIMEOUT_MS
    for (;;) {
      // Cleared before looking, so an answer posted after the look wakes the wait below.
      Atomics.store(flag, ANSWER_FLAG, 0)
      const received = receiveMessageOnPort(channel.port1)
      if (received) {
        const answer = received.message as IoAnswer
        if (answer.id === id) return answer
        continue
      }
      const left = deadline - Date.now()
      if (left <= 0 || Atomics.wait(flag, ANSWER_FLAG, 0, left) === 'timed-out') break
    }
    channel.port1.postMessage({ id, reset: true } satisfies IoControl)
    if (depth > 0) transactionLost = true
    depth = 0
    deferredBegin = null
    savepoints = 0
    throw new PostgresError(`PostgreSQL did not answer within ${STATEMENT_ANSWER_TIMEOUT_MS / 1000} s.`, null, true)
  }

  const query = (text: string, values: unknown[], name: string | null): { rows: Record<string, unknown>[]; rowCount: number } => {
    if (transactionLost) throw new PostgresError(LOST_TRANSACTION, null, true)
    const begin = deferredBegin
    deferredBegin = null
    const answer = ask({ name, text, values: values.map(toPgValue), ...(begin ? { begin } : {}) })
    if (!answer.ok) {
      // The server ends a transaction whose connection is gone: nothing of it is left to roll back.
      if (answer.connectionLost) {
        if (depth > 0) transactionLost = true
        depth = 0
        savepoints = 0
      }
      throw new PostgresError(answer.message, answer.code, answer.connectionLost)
    }
    return answer
  }

  /** Opens a transaction; its BEGIN is sent with the first statement (a failure to begin fails that statement). */
  const begin = (readOnly: boolean): void => {
    transactionLost = false
    // The write lock in the same round trip as BEGIN (the simple protocol runs several statements without parameters).
    deferredBegin = readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : `BEGIN; SELECT pg_advisory_xact_lock(${WRITE_LOCK_KEY})`
    readOnlyOpen = readOnly
    depth = 1
  }
  const commit = (): void => {
    depth = 0
    if (transactionLost) {
      transactionLost = false
      deferredBegin = null
      throw new PostgresError(LOST_TRANSACTION, null, true)
    }
    // Nothing ran: nothing was begun.
    if (deferredBegin !== null) {
      deferredBegin = null
      return
    }
    if (readOnlyOpen) {
      // A snapshot has nothing to make durable: the COMMIT is queued on the connection ahead of the next statement,
      // and its answer is dropped by the next ask (another id). A lost connection shows on that next statement.
      if (worker) channel.port1.postMessage({ id: ++lastId, name: null, text: 'COMMIT', values: [] } satisfies IoQuery)
      return
    }
    query('COMMIT', [], null)
  }
  const rollbackQuietly = (): void => {
    depth = 0
    transactionLost = false
    if (deferredBegin !== null) {
      deferredBegin = null
      return
    }
    try {
      query('ROLLBACK', [], null)
    } catch {
      // The connection is gone: the server rolled the transaction back itself.
    }
  }

  /** Runs `work` as a transaction, or as a savepoint of the one open. */
  const transact = <T>(readOnly: boolean, work: () => T): T => {
    if (depth > 0) {
      const name = `sp${++savepoints}`
      query(`SAVEPOINT ${name}`, [], null)
      depth++
      try {
        const result = work()
        if (depth > 0) {
          depth--
          query(`RELEASE SAVEPOINT ${name}`, [], null)
        }
        return result
      } catch (err) {
        if (depth > 0) {
          depth--
          try {
            query(`ROLLBACK TO SAVEPOINT ${name}`, [], null)
          } catch {
            // Reported by the caller's own rollback.
          }
        }
        throw err
      }
    }
    begin(readOnly)
    try {
      const result = work()
      commit()
      return result
    } catch (err) {
      if (depth > 0) rollbackQuietly()
      throw err
    } finally {
      transactionLost = false
    }
  }

  /** The store's own BEGIN IMMEDIATE / COMMIT / ROLLBACK statements (the append path runs its transaction itself). */
  const controlStatement = (sql: string): SqlStatement | null => {
    const control = sql.trim().toUpperCase()
    const done: SqlRunResult = { changes: 0, lastInsertRowid: 0 }
    const statement = (run: () => void): SqlStatement => ({
      run: () => (run(), done),
      get: () => (run(), undefined),
      all: () => (run(), [])
    })
    if (control === 'BEGIN IMMEDIATE' || control === 'BEGIN') return statement(() => begin(false))
    if (control === 'COMMIT') return statement(commit)
    if (control === 'ROLLBACK') return statement(rollbackQuietly)
    return null
  }

  const connection: PostgresSyncConnection = {
    prepare<Params extends unknown[] = unknown[], Row = unknown>(sql: string): SqlStatement<Params, Row> {
      const control = controlStatement(sql)
      if (control) return control as SqlStatement<Params, Row>
      const translated = toPostgres(sql)
      let name = statementNames.get(translated.text)
      if (!name) {
        name = `parley_${statementNames.size + 1}`
        statementNames.set(translated.text, name)
      }
      const statementName = name
      const { parameterNames } = translated
      /** The values in placeholder order: positional as given, named ones read from the one object passed. */
      const valuesOf = (params: unknown[]): unknown[] => {
        if (!parameterNames) return params
        const named = (params[0] ?? {}) as Record<string, unknown>
        return parameterNames.map((parameter) => named[parameter])
      }
      return {
        run(...params: Params): SqlRunResult {
          const result = query(translated.text, valuesOf(params), statementName)
          const key = translated.returnsKey ? result.rows[0]?.[translated.returnsKey] : undefined
          return { changes: result.rowCount, lastInsertRowid: typeof key === 'number' ? key : 0 }
        },
        get: (...params: Params): Row | undefined => query(translated.text, valuesOf(params), statementName).rows[0] as Row | undefined,
        all: (...params: Params): Row[] => query(translated.text, valuesOf(params), statementName).rows as Row[]
      }
    },
    transaction<T>(work: () => T): SqlTransaction<T> {
      return { immediate: () => transact(false, work) }
    },
    get inTransaction() {
      return depth > 0
    },
    get open() {
      return worker !== null
    },
    execute: (text, values = []) => query(text, values, null).rows,
    atomically: transact,
    get waits() {
      return waits
    },
    close() {
      if (!worker) return
      try {
        ask({ close: true })
      } catch {
        // Closing anyway.
      }
      void worker.terminate()
      worker = null
      channel.port1.close()
    }
  }
  return connection
}
