// Owns the messages between the core's store proxy (the core's thread) and the store worker thread that owns the
// account's SQLite connection: one request per store call, one reply per request, the worker's ready signal.
import { AppError, type AppErrorCode, type AppErrorParams } from '../../../../shared/errors'
import type { OpenedStoreDomainApis } from '../domain-apis'
import type { MessageStore } from '../types'
import { StoreError, type StoreErrorCode } from '../errors'

/** What the worker is started with (workerData). */
export interface StoreWorkerInit {
  /** The database file (':memory:' allowed, as for openMessageStore). */
  path: string
  /** better-sqlite3's native binding for another runtime (Electron), exactly as openMessageStore takes it. */
  nativeBinding?: string
}

/** The workerData of a worker started ahead of sign-in (warm-worker.ts): it waits for a StoreWorkerOpen message. */
export const WARM_WORKER_DATA = { waitForOpen: true } as const

/** The first message to a warm worker: the database to open (then it is like one started with that init). */
export interface StoreWorkerOpen {
  type: 'open'
  init: StoreWorkerInit
}

/** Whether a worker's workerData says it was started ahead of sign-in. */
export function isWarmStart(data: unknown): data is typeof WARM_WORKER_DATA {
  return typeof data === 'object' && data !== null && (data as { waitForOpen?: unknown }).waitForOpen === true
}

/** 'store': a MessageStore method; a domain name: that domain's API (MessageStore.domains). */
export type StoreCallTarget = 'store' | keyof OpenedStoreDomainApis

/**
 * Methods the worker answers besides MessageStore's own: the two halves of reinterpretUnsupported (its decoder is a
 * function, which cannot cross threads), and a test hook that makes the worker fail as a crash would.
 */
export const UNDECODED_RAWS = 'undecodedRaws'
export const REINTERPRET_DECODED = 'reinterpretDecoded'
export const CRASH_FOR_TEST = 'crashForTest'
/**
 * Test hook, never sent in production: the worker answers it, then blocks its thread (as a long query does) on the
 * shared cell it carries, so calls sent meanwhile wait in its queue, truly in flight. The test then writes how the
 * worker dies into the cell (or terminates it); STALL_LIMIT_MS bounds the block if nobody does.
 */
export const STALL_FOR_TEST = 'stallForTest'
/** The stall cell's values: still blocked, then die by an uncaught exception or by the thread exiting. */
export const STALL_BLOCKED = 0
export const STALL_THROW = 1
export const STALL_EXIT = 2
export const STALL_LIMIT_MS = 10_000

/** MessageStore's methods that go to the worker as they are (reinterpretUnsupported goes in two halves, above). */
export const STORE_METHODS = [
  'addOutgoing', 'markSent', 'markFailed', 'markSending', 'addSendFailingTime', 'pendingOutbox',
  'applyEvents', 'applyLogEntries', 'applyConversationSummaries', 'getCursor', 'hasStarted', 'historyGaps', 'setHistoryGap',
  'getMessage', 'page', 'search', 'searchGrouped', 'pageAround', 'pageAfter',
  'backfillStates', 'setBackfillState', 'backfillWindowDays', 'setBackfillWindowDays', 'oldestMessageTime',
  'listConversations', 'conversationKeys', 'getConversation', 'markRead', 'applyReadPointer', 'pendingReadPointers',
  'markReadPointerSynced', 'setDraft', 'getDraft', 'quarantineEvent', 'quarantined', 'close'
] as const satisfies ReadonlyArray<keyof MessageStore>

export type StoreMethod = (typeof STORE_METHODS)[number]

/** Fails to compile when MessageStore gains a method the list above (or the two halves) does not carry. */
type MissingStoreMethods = Exclude<
  { [K in keyof MessageStore]: MessageStore[K] extends (...args: never[]) => unknown ? K : never }[keyof MessageStore],
  StoreMethod | 'reinterpretUnsupported'
>
export const STORE_METHODS_COMPLETE: MissingStoreMethods extends never ? true : MissingStoreMethods = true

export interface StoreWorkerRequest {
  id: number
  target: StoreCallTarget
  method: string
  args: unknown[]
}

/** An error as it crosses the thread boundary: its class and code survive, so callers' checks keep working. */
export interface CarriedError {
  name: string
  code: string | null
  message: string
  /** An AppError's parameters (the renderer words its sentence from them). */
  params?: AppErrorParams
}

export type StoreWorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: CarriedError }

/** 'ready' names each domain's methods, so the proxy offers exactly those (functions cannot cross threads). */
export type StoreWorkerSignal =
  | { type: 'ready'; domainMethods: Record<string, string[]> }
  | { type: 'open-failed'; error: CarriedError }

export function isStoreWorkerSignal(message: StoreWorkerReply | StoreWorkerSignal): message is StoreWorkerSignal {
  return 'type' in message
}

export function carryError(err: unknown): CarriedError {
  if (err instanceof StoreError) return { name: err.name, code: err.code, message: err.message }
  if (err instanceof AppError) return { name: err.name, code: err.code, message: err.message, ...(err.params ? { params: err.params } : {}) }
  if (err instanceof Error) return { name: err.name, code: null, message: err.message }
  return { name: 'Error', code: null, message: String(err) }
}

/** The error again on the caller's side: a StoreError stays a StoreError with its code, an AppError an AppError. */
export function restoreError(carried: CarriedError): Error {
  if (carried.name === 'StoreError' && carried.code) return new StoreError(carried.code as StoreErrorCode, carried.message)
  if (carried.name === 'AppError' && carried.code) return new AppError(carried.code as AppErrorCode, carried.message, carried.params ? { params: carried.params } : undefined)
  const error = new Error(carried.message)
  error.name = carried.name
  return error
}

/**
 * The value with every Uint8Array that is a view into a larger buffer replaced by a copy of just its bytes (the rest
 * unchanged, shared). A structured clone copies a view's WHOLE backing buffer: a log entry's bytes are a slice of the
 * socket frame they came in (or of Node's 8 KiB buffer pool), so without this each call would carry those too.
 */
export function compactBytes<T>(value: T): T {
  // Primitives are most of a call's fields (a catch-up chunk: 1,000 messages): no call, no allocation for them.
  if (typeof value !== 'object' || value === null) return value
  if (value instanceof Uint8Array) {
    return (value.byteOffset === 0 && value.byteLength === value.buffer.byteLength ? value : new Uint8Array(value)) as T
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index]
      if (typeof item !== 'object' || item === null) continue
      const compacted = compactBytes(item)
      if (compacted !== item) (copy ??= value.slice())[index] = compacted
    }
    return (copy ?? value) as T
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>
    let copy: Record<string, unknown> | null = null
    for (const key in record) {
      const item = record[key]
      if (typeof item !== 'object' || item === null) continue
      const compacted = compactBytes(item)
      if (compacted !== item) (copy ??= { ...record })[key] = compacted
    }
    return (copy ?? value) as T
  }
  return value
}

