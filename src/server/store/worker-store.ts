// Owns the server's ServerStore on the main thread: a thin async proxy to the SQLite worker thread (which owns the
// connection, so no query or fsync ever blocks the event loop), and the worker's restart after a crash.
import { createLogger } from '../../shared/logger'
import { startWorkerEntry, superviseWorker } from '../../shared/worker-supervisor'
import type { ServerStore } from './types'
import { DOMAIN_METHODS, type DomainStores } from './domains'
import {
  expandResults,
  isWorkerSignal,
  packMessages,
  type CompactAppendResult,
  type StoreOpenOptions,
  type WorkerInit,
  type WorkerMethod,
  type WorkerReply,
  type WorkerRequest,
  type WorkerSignal
} from './worker-protocol'

const log = createLogger('server:store')

/** The worker entry's base name: `store-worker.ts` next to this file in the source tree, `store-worker.js` next
 *  to the bundle that contains this module (build:server emits it as a second entry in the same folder). */
export const WORKER_ENTRY_BASENAME = 'store-worker'
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

/** Where the worker entry is: beside this module, `.ts` in the sources and `.js` in the bundle. */
function workerEntryUrl(moduleUrl: string): URL {
  return new URL(`./${WORKER_ENTRY_BASENAME}${moduleUrl.endsWith('.ts') ? '.ts' : '.js'}`, moduleUrl)
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
export async function openServerStore(dataDir: string, options: StoreOpenOptions = {}): Promise<WorkerStoreHandle> {
  const init: WorkerInit = { dataDir, options }
  const supervisor = superviseWorker<WorkerRequest, null>({
    log,
    name: 'storage worker',
    start: () => startWorkerEntry(workerEntryUrl(import.meta.url), init),
    read: (raw) => {
      const message = raw as WorkerReply | WorkerSignal
      if (isWorkerSignal(message)) {
        return message.type === 'ready'
          ? { type: 'ready', info: null }
          : { type: 'open-failed', error: new StoreUnavailableError(`The server database could not be opened: ${message.error}`) }
      }
      return message.ok ? message : { id: message.id, ok: false, error: new Error(message.error) }
    },
    onDeath: ({ code, opened, interrupted }) => {
      const error = new StoreUnavailableError(`The storage worker stopped (exit code ${code}); the call may not have completed.`)
      if (opened) log.error('the storage worker stopped; restarting it', { code, callsFailed: interrupted })
      // Every call fails, sent or waiting: the message service answers ERROR_INTERNAL, which clients retry.
      return { openError: error, interruptedError: () => error, waitingError: () => error }
    },
    closedError: () => new StoreUnavailableError('The store is closed.'),
    restartDelayMs: RESTART_DELAY_MS,
    maxRestartDelayMs: MAX_RESTART_DELAY_MS
  })

  const call = <T>(method: WorkerMethod, ...args: unknown[]): Promise<T> => callWith<T>(method, args)

  const callWith = <T>(method: WorkerMethod, args: unknown[], transfer?: ArrayBuffer[]): Promise<T> =>
    supervisor.call<T>((id) => ({ id, method, args }), transfer)

  await supervisor.open()

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
      await supervisor.close(() => call('close'))
    },
    async crashWorkerForTest() {
      await supervisor.worker?.terminate()
    }
  }
}
