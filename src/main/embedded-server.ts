// Owns the choice of chat server for the desktop app: the address given in PARLEY_SERVER_URL, or the
// embedded reference server started in-process on loopback with its data in the app's data folder.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startServer, type ServerHandle } from '../server'
import { DEFAULT_PORT } from '../server/config'
import { createLogger } from '../shared/logger'

const log = createLogger('main:server')
/** The port the embedded server last used: a saved sign-in points at it, so it is kept across launches. */
const PORT_FILE = 'port'

export interface ChosenServer {
  url: string
  stop(): Promise<void>
}

function rememberedPort(dataDir: string): number | null {
  try {
    const port = Number(readFileSync(join(dataDir, PORT_FILE), 'utf8').trim())
    return Number.isInteger(port) && port > 0 && port < 65_536 ? port : null
  } catch {
    return null
  }
}

export async function chooseServer(userDataDir: string, nativeBinding: string): Promise<ChosenServer> {
  const given = process.env['PARLEY_SERVER_URL']
  if (given) return { url: given, stop: async () => {} }
  const dataDir = join(userDataDir, 'server')
  const preferred = Number(process.env['PARLEY_PORT'] ?? rememberedPort(dataDir) ?? DEFAULT_PORT)
  let handle: ServerHandle
  try {
    handle = await startServer({ dataDir, nativeBinding, port: preferred })
  } catch (err) {
    log.warn(`port ${preferred} is busy; using a free one`, { error: String(err) })
    handle = await startServer({ dataDir, nativeBinding, port: 0 })
  }
  mkdirSync(dataDir, { recursive: true })
  writeFileSync(join(dataDir, PORT_FILE), `${handle.port}\n`)
  log.info(`embedded server at ${handle.url}`)
  return { url: handle.url, stop: () => handle.close() }
}
