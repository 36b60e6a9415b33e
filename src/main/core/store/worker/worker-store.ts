// Owns the core's MessageStore on the core's thread: a proxy that sends every call to the store worker thread
// (which owns the SQLite connection, so no query blocks the shell's event loop), and restarts that worker when it dies.
import { pathToFileURL } from 'node:url'
import type { ChatMessage } from '../../../../shared/model'
import { createLogger } from '../../../../shared/logger'
import { entryBesideBundle } from '../../../../shared/bundle-entry'
import { startWorkerEntry, superviseWorker } from '../../../../shared/worker-supervisor'
import { STORE_DOMAIN_NAMES, type StoreDomainApis } from '../domain-apis'
import { prewarmStoreWorker, takeWarmStoreWorker } from './warm-worker'
import { StoreError } from '../errors'
import type { OpenStoreOptions } from '../index'
import type { MessageStore } from '../types'
import {
  CRASH_FOR_TEST,
  REINTERPRET_DECODED,
  STALL_EXIT,
  STALL_FOR_TEST,
  STALL_THROW,
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

export interface WorkerMessageStore extends MessageStore {
  /** How many times the worker was restarted after dying (diagnostics, tests). */
  readonly restarts: number
  /**
   * Tests: makes the worker die as a crash would, while whatever is in flight is in flight: 'throw' (an uncaught
   * exception in the worker), 'exit' (the thread exits) or 'terminate' (ended from outside, as an out-of-memory
   * kill). Resolves once it is dead (its restart follows by itself). After stallWorkerForTest, it dies in its stall.
   */
  crashWorkerForTest(how?: 'throw' | 'exit' | 'terminate'): Promise<void>
  /**
   * Tests: blocks the worker's thread (as a long query does) until crashWorkerForTest; resolves once it is blocked.
   * Calls made meanwhile are sent to the worker and wait in its queue: truly in flight when it dies.
   */
  stallWorkerForTest(): Promise<void>
}

/**
 * The worker entry's URL: beside this module in the sources; in a bundle, beside the main entry, which is this
 * chunk's folder or its parent (the bundler may put this module in a shared `chunks/` folder).
 */
export function storeWorkerEntryUrl(moduleUrl: string = import.meta.url, env: NodeJS.ProcessEnv = process.env): URL {
  const given = env[STORE_WORKER_ENTRY_ENV]?.trim()
  if (given) return pathToFileURL(given)
  if (moduleUrl.endsWith('.ts')) return new URL(`./${STORE_WORKER_ENTRY_BASENAME}.ts`, moduleUrl)
  return entryBesideBundle(`${STORE_WORKER_ENTRY_BASENAME}.js`, moduleUrl)
}

/** Starts the store's thread ahead of sign-in (see warm-worker.ts): the shells call this at start. */
export function prewarmMessageStore(): void {
  prewarmStoreWorker(storeWorkerEntryUrl())
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
  let silentStartFailures = 0
  /** The shared cell of the worker blocked by stallWorkerForTest (tests only); null when none is. */
  let stallCell: Int32Array | null = null
  let domainMethods: Record<string, string[]> = {}

  const supervisor = superviseWorker<StoreWorkerRequest, Record<string, string[]>>({
    log,
    name: 'store worker',
    // The worker started ahead of sign-in (the shells prewarm one at start), else a new one.
    start: () => takeWarmStoreWorker(storeWorkerEntryUrl(), init) ?? startWorkerEntry(storeWorkerEntryUrl(), init),
    read: (raw) => {
      const message = raw as StoreWorkerReply | StoreWorkerSignal
      if (isStoreWorkerSignal(message)) {
        return message.type === 'ready'
          ? { type: 'ready', info: message.domainMethods }
          : { type: 'open-failed', error: restoreError(message.error) }
      }
      return message.ok ? message : { id: message.id, ok: false, error: restoreError(message.error) }
    },
    onReady: (methods) => {
      silentStartFailures = 0
      domainMethods = methods
    },
    onDeath: ({ code, opened, openError, interrupted }) => {
      const restarted = (): Error => new StoreError('STORE_RESTARTED', RESTARTED_SENTENCE)
      if (opened) {
        log.error('the store worker stopped; restarting it and reopening the database', { code, callsInterrupted: interrupted })
        return { openError: restarted(), interruptedError: restarted, waitingError: null }
      }
      // It died before opening the database: it said why (then the waiting calls fail with that), or it crashed
      // while opening (then they wait for the next start, unless that keeps happening).
      const error = openError ?? new StoreError('STORE_OPEN_FAILED', `The message database's thread stopped while opening it (exit code ${code}).`)
      if (openError === null) silentStartFailures += 1
      const giveUp = openError !== null || silentStartFailures >= MAX_SILENT_START_FAILURES
      const waitingError = (): Error =>
        error instanceof StoreError ? new StoreError(error.code, error.message) : new StoreError('STORE_OPEN_FAILED', error.message)
      return { openError: error, interruptedError: restarted, waitingError: giveUp ? waitingError : null }
    },
    closedError: () => new StoreError('STORE_CLOSED', 'The message database is already closed.'),
    restartDelayMs: RESTART_DELAY_MS,
    maxRestartDelayMs: MAX_RESTART_DELAY_MS
  })

  const call = <T>(target: StoreCallTarget, method: string, args: unknown[]): Promise<T> =>
    supervisor.call<T>((id) => ({ id, target, method, args: compactBytes(args) }))

  await supervisor.open()

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
      return supervisor.restarts
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
      await supervisor.close(() => call('store', 'close', []))
    },
    async crashWorkerForTest(how: 'throw' | 'exit' | 'terminate' = 'throw'): Promise<void> {
      // A crash of a running store (one that has opened the database), as the tests mean it.
      await supervisor.whenReady()
      const current = supervisor.worker
      if (!current) return
      const dead = supervisor.whenDead()
      const stalled = stallCell
      stallCell = null
      if (how === 'terminate') void current.terminate()
      else if (stalled) {
        // The worker is blocked in its stall: it reads how to die from the shared cell, not from a message.
        Atomics.store(stalled, 0, how === 'exit' ? STALL_EXIT : STALL_THROW)
        Atomics.notify(stalled, 0)
      } else current.postMessage({ id: 0, target: 'store', method: CRASH_FOR_TEST, args: [how] } satisfies StoreWorkerRequest)
      await dead
    },
    async stallWorkerForTest(): Promise<void> {
      const cell = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))
      // Answered just before the worker blocks: once this resolves, the next calls queue behind the stall.
      await call('store', STALL_FOR_TEST, [cell])
      stallCell = cell
    }
  }
  return store as unknown as WorkerMessageStore // storeMethods carry MessageStore's methods by name (STORE_METHODS)
}
