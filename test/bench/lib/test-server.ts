// Owns starting a real server on port 0 over a temporary data folder for tests and benchmarks, and removing it.
// restart() reopens the same folder (a new port), which is how tests check durability.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startServer, type ServerHandle, type ServerOptions } from '../../../src/server/index'

export interface TestServer {
  server: ServerHandle
  dataDir: string
  /** Stops the server (if running) and starts a new one on the same data folder. */
  restart(overrides?: Partial<ServerOptions>): Promise<ServerHandle>
  /** Stops the server and deletes the data folder. */
  dispose(): Promise<void>
}

export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'))
}

export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? makeTempDir()
  let current = await startServer({ ...options, port: 0, dataDir })
  const handle: TestServer = {
    get server() {
      return current
    },
    dataDir,
    async restart(overrides = {}) {
      await current.close()
      current = await startServer({ ...options, ...overrides, port: 0, dataDir })
      return current
    },
    async dispose() {
      await current.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }
  return handle
}
