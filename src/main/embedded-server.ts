// Owns the choice of chat server for the desktop app: the address given in PARLEY_SERVER_URL, or the
// embedded reference server started in-process on loopback with its data in the app's data folder.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startServer, type ServerHandle } from '../server'
import { serverOptionsFromEnv } from '../server/env-options'
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
  // The README's server variables apply here as to `npm run server`; by default the data sits in the app's folder.
  const defaultDataDir = join(userDataDir, 'server')
  const options = serverOptionsFromEnv(process.env, {
    dataDir: defaultDataDir,
    port: rememberedPort(process.env['PARLEY_DATA_DIR']?.trim() || defaultDataDir) ?? undefined
  })
  const dataDir = options.dataDir
  let handle: ServerHandle
  try {
    handle = await startServer({ ...options, nativeBinding })
  } catch (err) {
    log.warn(`port ${options.port} is busy; using a free one`, { error: String(err) })
    handle = await startServer({ ...options, nativeBinding, port: 0 })
  }
  mkdirSync(dataDir, { recursive: true })
  writeFileSync(join(dataDir, PORT_FILE), `${handle.port}\n`)
  log.info(`embedded server at ${handle.url}`)
  return { url: handle.url, stop: () => handle.close() }
}
