// Owns the server's ServerStore on the main thread: a thin async proxy to the SQLite worker thread (which owns the
// connection, so no query or fsync ever blocks the event loop), and the worker's restart after a crash.
import { Worker } from 'node:worker_threads'
import { createLogger } from '../../shared/logger'
import type { SqliteOpenOptions } from './sqlite'
import type { ServerStore } from './types'
import { DOMAIN_METHODS, type DomainStores } from './domains'
import {
  expandResults,
  isWorkerSignal,
  packMessages,
  type CompactAppendResult,
  type WorkerInit,
  type WorkerMethod,
  type WorkerReply,
  type WorkerRequest,
  type WorkerSignal
} from './worker-protocol'

const log = createLogger('server:store')

/** The worker entry's base name: `sqlite-worker.ts` next to this file in the source tree, `sqlite-worker.js` next
 *  to the bundle that contains this module (build:server emits it as a second entry in the same folder). */
export const WORKER_ENTRY_BASENAME = 'sqlite-worker'
/** A crashed worker is restarted after this delay, doubled after each start that fails to open the database. */
const RESTART_DELAY_MS = 50
/** Upper bound of the restart delay while the database cannot be opened (disk gone, file damaged). */
const MAX_RESTART_DELAY_MS = 5_000

export class StoreUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StoreUnavailableError'
  }
}

interface PendingCall {
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

/** Where the worker entry is, and how to start it: from TypeScript sources (vitest, tsx) it needs tsx's loader. */
function workerSource(moduleUrl: string): { url: URL; fromTypeScript: boolean } {
  const fromTypeScript = moduleUrl.endsWith('.ts')
  return { url: new URL(`./${WORKER_ENTRY_BASENAME}${fromTypeScript ? '.ts' : '.js'}`, moduleUrl), fromTypeScript }
}

function startWorker(init: WorkerInit): Worker {
  const { url, fromTypeScript } = workerSource(import.meta.url)
  if (!fromTypeScript) return new Worker(url, { workerData: init })
  // A worker does not inherit the parent's module hooks and Node 20 ignores `--import` in a worker's execArgv:
  // register tsx's loader inside the worker, then load the entry.
  const tsxApi = import.meta.resolve('tsx/esm/api')
  const bootstrap = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(url.href)});`
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData: init })
}

export interface WorkerStoreHandle extends ServerStore {
  /** Ends the worker thread abruptly, as a crash would (tests: pending calls reject, later calls work again). */
  crashWorkerForTest(): Promise<void>
}

/**
 * Starts the worker and resolves once it has opened (and migrated) the database; rejects if it cannot.
 * After a crash, calls in flight reject (the message service answers ERROR_INTERNAL, which clients retry) and a new
 * worker is started; calls made while it starts wait for it.
 */
export async function openServerStore(dataDir: string, options: SqliteOpenOptions = {}): Promise<WorkerStoreHandle> {
  const init: WorkerInit = { dataDir, options }
  const pending = new Map<number, PendingCall>()
  /** Calls made while no worker is ready; sent in order once one is. */
  let backlog: WorkerRequest[] = []
  let nextId = 1
  let worker: Worker | null = null
  let ready = false
  let closed = false
  let restartDelayMs = RESTART_DELAY_MS
  let restartTimer: NodeJS.Timeout | null = null

  const failAll = (error: Error): void => {
    const calls = [...pending.values()]
    pending.clear()
    backlog = []
    for (const call of calls) call.reject(error)
  }

  // A worker with nothing to do must not keep the process alive; one with calls in flight must.
  const updateRef = (): void => {
    if (!worker) return
    if (pending.size > 0) worker.ref()
    else worker.unref()
  }

  const launch = (): Promise<void> =>
    new Promise((resolveOpen, rejectOpen) => {
      const current = startWorker(init)
      worker = current
      ready = false
      let opened = false

      current.on('message', (message: WorkerReply | WorkerSignal) => {
        if (isWorkerSignal(message)) {
          if (message.type === 'ready') {
            opened = true
            ready = true
            restartDelayMs = RESTART_DELAY_MS
            const waiting = backlog
            backlog = []
            for (const request of waiting) current.postMessage(request)
            updateRef()
            resolveOpen()
          } else {
            rejectOpen(new StoreUnavailableError(`The server database could not be opened: ${message.error}`))
          }
          return
        }
        const call = pending.get(message.id)
        if (!call) return
        pending.delete(message.id)
        if (message.ok) call.resolve(message.value)
        else call.reject(new Error(message.error))
        updateRef()
      })
      current.on('error', (err) => {
        log.error('the storage worker failed', { error: err.message })
      })
      current.on('exit', (code) => {
        if (worker !== current) return
        worker = null
        ready = false
        if (closed) return
        const error = new StoreUnavailableError(`The storage worker stopped (exit code ${code}); the call may not have completed.`)
        if (!opened) {
          rejectOpen(error)
          failAll(error)
          restartDelayMs = Math.min(restartDelayMs * 2, MAX_RESTART_DELAY_MS)
        } else {
          log.error('the storage worker stopped; restarting it', { code, callsFailed: pending.size })
          failAll(error)
        }
        scheduleRestart()
      })
    })

  const scheduleRestart = (): void => {
    if (closed || restartTimer) return
    restartTimer = setTimeout(() => {
      restartTimer = null
      launch().catch((err: unknown) => {
        log.error('restarting the storage worker failed', { error: err instanceof Error ? err.message : String(err) })
      })
    }, restartDelayMs)
  }

  const call = <T>(method: WorkerMethod, ...args: unknown[]): Promise<T> => callWith<T>(method, args)

  const callWith = <T>(method: WorkerMethod, args: unknown[], transfer?: ArrayBuffer[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (closed) {
        reject(new StoreUnavailableError('The store is closed.'))
        return
      }
      const id = nextId++
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      const request: WorkerRequest = { id, method, args }
      if (worker && ready) {
        worker.postMessage(request, transfer)
        updateRef()
      } else {
        backlog.push(request)
      }
    })

  try {
    await launch()
  } catch (err) {
    closed = true
    if (restartTimer) clearTimeout(restartTimer)
    // launch() assigns `worker` inside its callbacks, which narrowing cannot see.
    await (worker as Worker | null)?.terminate()
    throw err
  }

  const domainMethods = Object.fromEntries(
    DOMAIN_METHODS.map((name) => [name, (...args: unknown[]) => call(name, ...args)])
  ) as unknown as DomainStores // the entries are DomainStores' methods by construction (DOMAIN_METHODS_COMPLETE)

  return {
    ...domainMethods,
    appendUserEvent: (user, event, at) => call('appendUserEvent', user, event, at),
    createUser: (name, passwordHash, createdAt) => call('createUser', name, passwordHash, createdAt),
    getUser: (name) => call('getUser', name),
    existingUsers: (names) => call('existingUsers', names),
    async appendMessages(messages) {
      const packed = packMessages(messages)
      const compact = await callWith<CompactAppendResult[]>('appendMessages', [packed], [packed.bytes.buffer as ArrayBuffer])
      return expandResults(messages, compact)
    },
    readLogAfter: (user, afterSeq, limit) => call('readLogAfter', user, afterSeq, limit),
    readConversation: (user, conversation, beforeSeq, limit) =>
      call('readConversation', user, conversation, beforeSeq, limit),
    headSeq: (user) => call('headSeq', user),
    oldestSeq: (user) => call('oldestSeq', user),
    trimLogs: (before) => call('trimLogs', before),
    setReadPointer: (user, pointer) => call('setReadPointer', user, pointer),
    recentConversations: (user, after, limit) => call('recentConversations', user, after, limit),
    async getOrCreateSecret(name, create) {
      const stored = await call<Uint8Array | null>('readSecret', name)
      if (stored) return Buffer.from(stored)
      // The generator runs here (functions cannot cross threads); if another caller stored one first, theirs wins.
      return Buffer.from(await call<Uint8Array>('insertSecretIfAbsent', name, create()))
    },
    createDeviceSession: (session, token) => call('createDeviceSession', session, token),
    findToken: (tokenHash) => call('findToken', tokenHash),
    bindSessionDevice: (sessionId, deviceId) => call('bindSessionDevice', sessionId, deviceId),
    rotateToken: (sessionId, oldHash, next, now) => call('rotateToken', sessionId, oldHash, next, now),
    markTokenUsed: (tokenHash, now) => call('markTokenUsed', tokenHash, now),
    reinstateToken: (sessionId, oldHash, now) => call('reinstateToken', sessionId, oldHash, now),
    revokeSession: (sessionId, now) => call('revokeSession', sessionId, now),
    revokeUserSessions: (user, now, keep) => call('revokeUserSessions', user, now, keep),
    countAttempt: (key, now, windowMs) => call('countAttempt', key, now, windowMs),
    resetAttempts: (key) => call('resetAttempts', key),
    pruneAuth: (tokensExpiredBefore, now) => call('pruneAuth', tokensExpiredBefore, now),
    stats: () => call('stats'),
    async close() {
      if (closed) return
      if (restartTimer) clearTimeout(restartTimer)
      const current = worker
      if (current && ready) {
        // The worker commits what is queued, closes the connection, and answers: then it may go.
        await call('close').catch((err: unknown) => {
          log.warn('closing the database failed', { error: err instanceof Error ? err.message : String(err) })
        })
      }
      closed = true
      failAll(new StoreUnavailableError('The store is closed.'))
      await current?.terminate()
    },
    async crashWorkerForTest() {
      await worker?.terminate()
    }
  }
}
