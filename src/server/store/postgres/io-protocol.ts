// Owns the messages between a store thread and its PostgreSQL I/O thread: one query at a time, answered through a
// MessagePort, with a shared flag the waiting store thread sleeps on (Atomics.wait) until the answer is posted.

/** Slot of the shared Int32Array the store thread waits on: 0 = no answer yet, 1 = answer posted. */
export const ANSWER_FLAG = 0

export interface IoInit {
  url: string
  /** Int32Array(1) over a SharedArrayBuffer. */
  flag: Int32Array
  /** Name of the connection in pg_stat_activity. */
  applicationName: string
}

export interface IoQuery {
  /** Numbers the query; its answer carries it back, so an answer to a query given up on is told apart. */
  id: number
  /** A prepared statement's name, kept per connection (null for one-off text such as BEGIN). */
  name: string | null
  text: string
  values: unknown[]
  /**
   * The transaction's BEGIN (and write lock), deferred to its first statement: run first on the same connection, so
   * opening a transaction costs no hand-over of its own between the threads.
   */
  begin?: string
}

/**
 * Control messages: `close` ends the connection and the thread's work; `reset` drops the connection now (the store
 * thread gave up waiting on a statement: its transaction, and the write lock it may hold, must end with it).
 */
export type IoControl = { id: number; close: true } | { id: number; reset: true }

export type IoAnswer =
  | { id: number; ok: true; rows: Record<string, unknown>[]; rowCount: number }
  | { id: number; ok: false; message: string; code: string | null; connectionLost: boolean }
