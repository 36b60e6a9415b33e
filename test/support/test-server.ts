// Owns the real reference server used by integration tests: a temp data folder, port 0 on first start, and
// stop/start/restart on the same port and folder (how durability and reconnects are tested).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startServer, type ServerHandle, type ServerOptions } from '../../src/server'
import { createTestDatabase, dropTestDatabase, testStoreEngine } from './test-database'

export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'))
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true })
}

type ServerExtras = Omit<ServerOptions, 'dataDir' | 'port'>

export class TestServer {
  readonly dataDir = makeTempDir()
  private handle: ServerHandle | null = null
  private port = 0
  /** The PostgreSQL database of this server when the suite runs on PostgreSQL (PARLEY_TEST_STORE=postgres). */
  private databaseUrl: string | null = null

  constructor(private readonly extras: ServerExtras = {}) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** How to open this server's store directly (while it is stopped): its PostgreSQL database, or SQLite in dataDir. */
  get storeOptions(): { databaseUrl?: string } {
    return this.databaseUrl ? { databaseUrl: this.databaseUrl } : {}
  }

  /** The running server; throws when it is stopped (a test bug). */
  get server(): ServerHandle {
    if (!this.handle) throw new Error('The test server is not running.')
    return this.handle
  }

  async start(overrides: ServerExtras = {}): Promise<ServerHandle> {
    if (testStoreEngine() === 'postgres' && !this.databaseUrl) this.databaseUrl = await createTestDatabase()
    const database = this.databaseUrl ? { databaseUrl: this.databaseUrl } : {}
    this.handle = await startServer({ ...this.extras, ...database, ...overrides, host: '127.0.0.1', port: this.port, dataDir: this.dataDir })
    this.port = this.handle.port
    return this.handle
  }

  async stop(): Promise<void> {
    const handle = this.handle
    this.handle = null
    await handle?.close()
  }

  /** Stops the server and starts it again on the same port and data folder. */
  async restart(overrides: ServerExtras = {}): Promise<ServerHandle> {
    await this.stop()
    return this.start(overrides)
  }

  async dispose(): Promise<void> {
    await this.stop()
    removeDir(this.dataDir)
    if (this.databaseUrl) await dropTestDatabase(this.databaseUrl)
  }
}

export async function startTestServer(extras: ServerExtras = {}): Promise<TestServer> {
  const server = new TestServer(extras)
  await server.start()
  return server
}
