// Owns the account's SQLite connection inside the store worker thread: opens (and migrates) the database, then
// answers the proxy's calls one by one; each call runs whole here, so a transaction is never split or interleaved.
import type { MessagePort } from 'node:worker_threads'
import type { ChatMessage } from '../../../../shared/model'
import { openMessageStore } from '../index'
import type { SqliteMessageStore } from '../sqlite-store'
import { STORE_DOMAIN_NAMES } from '../domain-apis'
import { StoreError } from '../errors'
import {
  CRASH_FOR_TEST,
  REINTERPRET_DECODED,
  STALL_BLOCKED,
  STALL_EXIT,
  STALL_FOR_TEST,
  STALL_LIMIT_MS,
  STORE_METHODS,
  UNDECODED_RAWS,
  carryError,
  compactBytes,
  isWarmStart,
  type StoreWorkerOpen,
  type StoreWorkerInit,
  type StoreWorkerReply,
  type StoreWorkerRequest,
  type StoreWorkerSignal
} from './protocol'

/** Key of a raw entry in the decoded answers of reinterpretUnsupported's second half. */
function rawKey(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64')
}

/** The method `request` names, bound to its object; STORE_BAD_ARGUMENT for a name not in the store's contract. */
function methodOf(store: SqliteMessageStore, request: StoreWorkerRequest): (...args: unknown[]) => unknown {
  let owner: object | null = null
  if (request.target === 'store') {
    if ((STORE_METHODS as readonly string[]).includes(request.method)) owner = store
  } else if (STORE_DOMAIN_NAMES.includes(request.target)) {
    const api = store.openedDomains[request.target]
    if (Object.prototype.hasOwnProperty.call(api, request.method)) owner = api
  }
  const member: unknown = owner ? (owner as Record<string, unknown>)[request.method] : undefined
  if (typeof member !== 'function') {
    throw new StoreError('STORE_BAD_ARGUMENT', `The store has no method '${request.target}.${request.method}'.`)
  }
  return (...args: unknown[]) => (member as (...a: unknown[]) => unknown).apply(owner, args)
}

/**
 * Test hook (STALL_FOR_TEST; production never sends it): answers, then blocks this thread until the test writes how
 * to die into the shared cell (worker.terminate() also ends the wait). It dies right here, synchronously, so the
 * calls queued behind it are never run nor answered.
 */
function stallForTest(port: MessagePort, request: StoreWorkerRequest): void {
  const cell = request.args[0] as Int32Array
  port.postMessage({ id: request.id, ok: true, value: null } satisfies StoreWorkerReply)
  Atomics.wait(cell, 0, STALL_BLOCKED, STALL_LIMIT_MS)
  if (Atomics.load(cell, 0) === STALL_EXIT) process.exit(70)
  throw new Error('store worker crash while stalled (test hook)')
}

async function answer(store: SqliteMessageStore, request: StoreWorkerRequest): Promise<unknown> {
  if (request.method === CRASH_FOR_TEST) {
    // A crash as it happens for real: an exception nobody catches (the thread dies), or the thread exiting.
    if (request.args[0] === 'exit') process.exit(70)
    setImmediate(() => {
      throw new Error('store worker crash (test hook)')
    })
    return new Promise(() => undefined)
  }
  if (request.target === 'store' && request.method === UNDECODED_RAWS) return store.undecodedRaws()
  if (request.target === 'store' && request.method === REINTERPRET_DECODED) {
    const decoded = new Map(request.args[0] as Array<[string, ChatMessage | null]>)
    return store.reinterpretUnsupported((raw) => decoded.get(rawKey(raw)) ?? null)
  }
  return methodOf(store, request)(...request.args)
}

async function serve(port: MessagePort, init: StoreWorkerInit): Promise<void> {
  let store: SqliteMessageStore
  try {
    // openMessageStore returns the SqliteMessageStore as its MessageStore interface.
    store = (await openMessageStore(init.path, init.nativeBinding ? { nativeBinding: init.nativeBinding } : {})) as SqliteMessageStore
  } catch (err) {
    port.postMessage({ type: 'open-failed', error: carryError(err) } satisfies StoreWorkerSignal)
    return
  }
  port.on('message', (request: StoreWorkerRequest) => {
    if (request.method === STALL_FOR_TEST) {
      stallForTest(port, request)
      return
    }
    void answer(store, request).then(
      (value) => port.postMessage({ id: request.id, ok: true, value: compactBytes(value) } satisfies StoreWorkerReply),
      (err: unknown) => port.postMessage({ id: request.id, ok: false, error: carryError(err) } satisfies StoreWorkerReply)
    ).then(() => {
      if (request.target === 'store' && request.method === 'close') port.close()
    })
  })
  const domainMethods = Object.fromEntries(
    STORE_DOMAIN_NAMES.map((name) => [name, Object.keys(store.openedDomains[name]).filter((key) => typeof (store.openedDomains[name] as unknown as Record<string, unknown>)[key] === 'function')])
  )
  port.postMessage({ type: 'ready', domainMethods } satisfies StoreWorkerSignal)
}

/** Runs the thread (core-store-worker.ts loads this module once the thread's priority is lowered). */
export function serveStoreWorker(port: MessagePort, data: unknown): void {
  // Started ahead of sign-in (warm-worker.ts): its modules are loaded; the first message names the database.
  if (isWarmStart(data)) port.once('message', (open: StoreWorkerOpen) => void serve(port, open.init))
  else void serve(port, data as StoreWorkerInit)
}
