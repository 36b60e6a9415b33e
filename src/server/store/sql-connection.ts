// Owns the engine-neutral shape of the store's database connection: the part of better-sqlite3's API the store's
// modules use (prepare + run/get/all, transactions). SQLite passes its connection; PostgreSQL passes a synchronous one.

export interface SqlRunResult {
  changes: number
  lastInsertRowid: number | bigint
}

export interface SqlStatement<Params extends unknown[] = unknown[], Row = unknown> {
  run(...params: Params): SqlRunResult
  get(...params: Params): Row | undefined
  all(...params: Params): Row[]
}

/** Work wrapped as one transaction: `.immediate()` takes the write lock up front (SQLite's BEGIN IMMEDIATE). */
export interface SqlTransaction<T> {
  immediate(): T
}

export interface SqlConnection {
  prepare<Params extends unknown[] = unknown[], Row = unknown>(sql: string): SqlStatement<Params, Row>
  /** Wraps `work` in a transaction; called inside another one it becomes a savepoint of it. */
  transaction<T>(work: () => T): SqlTransaction<T>
  readonly inTransaction: boolean
  readonly open: boolean
  close(): void
}
