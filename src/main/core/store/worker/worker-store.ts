// Owns the core's MessageStore on the core's thread: a proxy that sends every call to the store worker thread
// (which owns the SQLite connection, so no query blocks the shell's event loop), and restarts that worker when it dies.
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { ChatMessage } from '../../../../shared/model'
import { createLogger } from '../../../../shared/logger'
import { STORE_DOMAIN_NAMES, type StoreDomainApis } from '../domain-apis'
import { StoreError } from '../errors'
import type { OpenStoreOptions } from '../index'
import type { MessageStore } from '../types'
import {
  CRASH_FOR_TEST,
  REINTERPRET_DECODED,
  STORE_METHODS,
  UNDECODED_RAWS,
  compactBytes,
  isStoreWorkerSignal,
  restoreError,
  type StoreCallTarget,
  type StoreWorkerInit,
  type StoreWorkerReply,
  type StoreWorkerRequest,
  type StoreWorkerSignal
} from './protocol'

const log = createLogger('core:store-worker')

/** The worker entry's base name: `core-store-worker.ts` next to this file in the sources, `core-store-worker.js`
 *  next to the bundle that contains this module (electron-vite emits it as a main entry beside index.js). */
export const STORE_WORKER_ENTRY_BASENAME = 'core-store-worker'
/**
 * A built worker entry to use instead (a path): the browser host sets it to the bundled out/main/core-store-worker.js
 * that `npm run web` has just built, because loading the TypeScript sources through tsx in every worker takes a
 * second or more, on every sign-in and every restart.
 */
export const STORE_WORKER_ENTRY_ENV = 'PARLEY_STORE_WORKER_ENTRY'
/** A dead worker is started again after this delay: long enough not to spin on a crash at start, short enough
 *  that the user does not notice (calls made meanwhile wait for it). */
const RESTART_DELAY_MS = 50
/** Upper bound of the restart delay while the database cannot be opened again (doubled after each failure). */
const MAX_RESTART_DELAY_MS = 5_000
/**
 * Starts in a row that die before opening the database without saying why (a crash while opening): after this
 * many, the calls waiting for the store fail instead of waiting on (the restarts go on, with backoff).
 */
const MAX_SILENT_START_FAILURES = 3

/** The sentence of a call the worker's death interrupted (it may or may not have committed: callers retry). */
const RESTARTED_SENTENCE = 'The message database was restarted while saving or reading; it will be tried again.'

interface PendingCall {
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

export interface WorkerMessageStore extends MessageStore {
  /** How many times the worker was restarted after dying (diagnostics, tests). */
  readonly restarts: number
  /**
   * Tests: makes the worker die as a crash would, while whatever is in flight is in flight: 'throw' (an uncaught
   * exception in the worker), 'exit' (the thread exits) or 'terminate' (ended from outside, as an out-of-memory
   * kill). Resolves once it is dead (its restart follows by itself).
   */
  crashWorkerForTest(how?: 'throw' | 'exit' | 'terminate'): Promise<void>
}

/**
 * The worker entry's URL: beside this module in the sources; in a bundle, beside the main entry, which is this
 * chunk's folder or its parent (the bundler may put this module in a shared `chunks/` folder).
 */
export function storeWorkerEntryUrl(moduleUrl: string = import.meta.url, env: NodeJS.ProcessEnv = process.env): URL {
  const given = env[STORE_WORKER_ENTRY_ENV]?.trim()
  if (given) return pathToFileURL(given)
  if (moduleUrl.endsWith('.ts')) return new URL(`./${STORE_WORKER_ENTRY_BASENAME}.ts`, moduleUrl)
  const candidates = [`./${STORE_WORKER_ENTRY_BASENAME}.js`, `../${STORE_WORKER_ENTRY_BASENAME}.js`].map((relative) => new URL(relative, moduleUrl))
  return candidates.find((url) => url.protocol !== 'file:' || existsSync(fileURLToPath(url))) ?? (candidates[0] as URL)
}

/** Starts the worker thread: from TypeScript sources (vitest, tsx) it needs tsx's loader. */
function startWorker(init: StoreWorkerInit): Worker {
  const url = storeWorkerEntryUrl()
  const fromTypeScript = url.pathname.endsWith('.ts')
  if (!fromTypeScript) return new Worker(url, { workerData: init })
  // A worker does not inherit the parent's module hooks and Node 20 ignores `--import` in a worker's execArgv:
  // register tsx's loader inside the worker, then load the entry (as the server's worker-store does).
  const tsxApi = import.meta.resolve('tsx/esm/api')
  const bootstrap = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(url.href)});`
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData: init })
}

function rawKey(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64')
}

/**
 * Starts the worker and resolves once it has opened (and migrated) the database; rejects with the worker's
 * StoreError (same code and sentence as openMessageStore) when it cannot. After the worker dies, the calls in
 * flight reject with StoreError STORE_RESTARTED (the outbox and sync treat it as transient and try again; the
 * outbox is in the database, so nothing is lost) and a new worker opens the database; calls made meanwhile wait.
 */
export async function openWorkerMessageStore(path: string, options: OpenStoreOptions = {}): Promise<WorkerMessageStore> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new StoreError('STORE_BAD_ARGUMENT', 'The message database needs a file path (or ":memory:").')
  }
  const init: StoreWorkerInit = { path, ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) }
  const pending = new Map<number, PendingCall>()
  /** Calls made while no worker is ready; sent in order once one is. */
  let backlog: StoreWorkerRequest[] = []
  let nextId = 1
  let worker: Worker | null = null
  let ready = false
  let closed = false
  let restarts = 0
  let restartDelayMs = RESTART_DELAY_MS
  let restartTimer: NodeJS.Timeout | null = null
  let deathWaiters: Array<() => void> = []
  let readyWaiters: Array<() => void> = []
  let silentStartFailures = 0
  let domainMethods: Record<string, string[]> = {}

  const rejectCalls = (calls: Iterable<PendingCall>, error: () => Error): void => {
    for (const call of calls) call.reject(error())
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
      /** What the worker reported when it could not open the database. */
      let openError: Error | null = null

      current.on('message', (message: StoreWorkerReply | StoreWorkerSignal) => {
        if (isStoreWorkerSignal(message)) {
          if (message.type === 'ready') {
            opened = true
            ready = true
            silentStartFailures = 0
            domainMethods = message.domainMethods
            restartDelayMs = RESTART_DELAY_MS
            const waiting = backlog
            backlog = []
            for (const request of waiting) current.postMessage(request)
            updateRef()
            const waiters = readyWaiters
            readyWaiters = []
            for (const wake of waiters) wake()
            resolveOpen()
          } else {
            openError = restoreError(message.error)
            rejectOpen(openError)
            void current.terminate()
          }
          return
        }
        const call = pending.get(message.id)
        if (!call) return
        pending.delete(message.id)
        if (message.ok) call.resolve(message.value)
        else call.reject(restoreError(message.error))
        updateRef()
      })
      current.on('error', (err) => {
        log.error('the store worker failed', { error: err.message })
      })
      current.on('exit', (code) => {
        if (worker !== current) return
        worker = null
        ready = false
        const waiters = deathWaiters
        deathWaiters = []
        for (const wake of waiters) wake()
        if (closed) return
        // The calls sent to this worker: each may or may not have committed. Calls not sent yet stay in the backlog.
        const interrupted = [...pending.entries()].filter(([id]) => !backlog.some((request) => request.id === id))
        for (const [id] of interrupted) pending.delete(id)
        if (!opened) {
          // It died before opening the database: it said why (then the waiting calls fail with that), or it crashed
          // while opening (then they wait for the next start, unless that keeps happening).
          const error = openError ?? new StoreError('STORE_OPEN_FAILED', `The message database's thread stopped while opening it (exit code ${code}).`)
          rejectOpen(error)
          if (openError === null) silentStartFailures += 1
          if (openError !== null || silentStartFailures >= MAX_SILENT_START_FAILURES) {
            const waiting = backlog
            backlog = []
            rejectCalls(
              waiting.map((request) => pending.get(request.id)).filter((call): call is PendingCall => call !== undefined),
              () => (error instanceof StoreError ? new StoreError(error.code, error.message) : new StoreError('STORE_OPEN_FAILED', error.message))
            )
            for (const request of waiting) pending.delete(request.id)
          }
          restartDelayMs = Math.min(restartDelayMs * 2, MAX_RESTART_DELAY_MS)
        } else {
          log.error('the store worker stopped; restarting it and reopening the database', { code, callsInterrupted: interrupted.length })
        }
        rejectCalls(
          interrupted.map(([, call]) => call),
          () => new StoreError('STORE_RESTARTED', RESTARTED_SENTENCE)
        )
        scheduleRestart()
      })
    })

  const scheduleRestart = (): void => {
    if (closed || restartTimer) return
    restartTimer = setTimeout(() => {
      restartTimer = null
      restarts += 1
      launch().then(
        () => log.info('the store worker was restarted', { restarts }),
        (err: unknown) => log.error('restarting the store worker failed', { error: err instanceof Error ? err.message : String(err) })
      )
    }, restartDelayMs)
  }

  const call = <T>(target: StoreCallTarget, method: string, args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (closed) {
        reject(new StoreError('STORE_CLOSED', 'The message database is already closed.'))
        return
      }
      const id = nextId++
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      const request: StoreWorkerRequest = { id, target, method, args: compactBytes(args) }
      if (worker && ready) {
        worker.postMessage(request)
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

  const storeMethods = Object.fromEntries(STORE_METHODS.map((name) => [name, (...args: unknown[]) => call('store', name, args)]))
  const domains = Object.fromEntries(
    STORE_DOMAIN_NAMES.map((domain) => [
      domain,
      Object.fromEntries((domainMethods[domain] ?? []).map((method) => [method, (...args: unknown[]) => call(domain, method, args)]))
    ])
  ) as unknown as StoreDomainApis // each domain's methods as the worker listed them, answered by the worker

  const store = {
    ...storeMethods,
    path,
    domains,
    get restarts() {
      return restarts
    },
    async reinterpretUnsupported(decode: (raw: Uint8Array) => ChatMessage | null): Promise<ChatMessage[]> {
      if (typeof decode !== 'function') throw new StoreError('STORE_BAD_ARGUMENT', 'A decoder function is needed.')
      // The decoder is a function of this thread: decode here, then the worker applies the answers in one transaction.
      const raws = await call<Uint8Array[]>('store', UNDECODED_RAWS, [])
      if (raws.length === 0) return []
      const decoded: Array<[string, ChatMessage | null]> = raws.map((raw) => {
        try {
          return [rawKey(raw), decode(raw)]
        } catch (err) {
          log.warn('a stored event still cannot be decoded', { error: err instanceof Error ? err.message : String(err) })
          return [rawKey(raw), null]
        }
      })
      return call<ChatMessage[]>('store', REINTERPRET_DECODED, [decoded])
    },
    async close(): Promise<void> {
      if (closed) return
      if (restartTimer) clearTimeout(restartTimer)
      const current = worker
      if (current && ready) {
        // The worker finishes what it was sent, closes the connection and answers: then it may go.
        await call('store', 'close', []).catch((err: unknown) => {
          log.warn('closing the message database failed', { error: err instanceof Error ? err.message : String(err) })
        })
      }
      closed = true
      const left = [...pending.values()]
      pending.clear()
      backlog = []
      rejectCalls(left, () => new StoreError('STORE_CLOSED', 'The message database is already closed.'))
      await current?.terminate()
    },
    async crashWorkerForTest(how: 'throw' | 'exit' | 'terminate' = 'throw'): Promise<void> {
      // A crash of a running store (one that has opened the database), as the tests mean it.
      if (!ready) await new Promise<void>((resolve) => readyWaiters.push(resolve))
      const current = worker
      if (!current) return
      const dead = new Promise<void>((resolve) => deathWaiters.push(resolve))
      if (how === 'terminate') void current.terminate()
      else current.postMessage({ id: 0, target: 'store', method: CRASH_FOR_TEST, args: [how] } satisfies StoreWorkerRequest)
      await dead
    }
  }
  return store as unknown as WorkerMessageStore // storeMethods carry MessageStore's methods by name (STORE_METHODS)
}
