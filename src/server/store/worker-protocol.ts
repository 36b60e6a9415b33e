// Owns the messages between the store proxy (main thread) and the SQLite worker thread that owns the connection:
// one request per store call, one reply per request, in order, plus the worker's ready / failed-to-open signal.
import type { SqliteOpenOptions, SqliteStoreCore } from './sqlite'

/** What the worker is started with (workerData). */
export interface WorkerInit {
  dataDir: string
  options: SqliteOpenOptions
}

/** The calls the worker answers: every synchronous core method, with appendGroups batched by the worker itself. */
export type WorkerMethod = Exclude<keyof SqliteStoreCore, 'appendGroups'> | 'appendMessages'

export interface WorkerRequest {
  id: number
  method: WorkerMethod
  args: unknown[]
}

export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string }

export type WorkerSignal = { type: 'ready' } | { type: 'open-failed'; error: string }

export function isWorkerSignal(message: WorkerReply | WorkerSignal): message is WorkerSignal {
  return 'type' in message
}
