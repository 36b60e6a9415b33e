// The browser host and the real server for the host integration tests, on port 0 in one temp folder (a stub page as
// the renderer: these tests talk to the bridge, not to a page); close() stops both and removes the folder.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startHost, type RunningHost } from '../../../src/host/index'
import { startServer } from '../../../src/server/index'

export interface HostWithServer {
  server: Awaited<ReturnType<typeof startServer>>
  host: RunningHost
  close(): Promise<void>
}

export async function startHostWithServer(): Promise<HostWithServer> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'))
  const rendererDir = path.join(tmp, 'renderer')
  fs.mkdirSync(rendererDir)
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Parley</title>')
  const server = await startServer({ port: 0, dataDir: path.join(tmp, 'server') })
  const host = await startHost({ port: 0, rendererDir, dataDir: path.join(tmp, 'web'), defaultServerUrl: server.url, version: '0.0.1' })
  return {
    server,
    host,
    async close() {
      await host.close()
      await server.close()
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  }
}
