// Owns the choice of chat server for the desktop app: the address given in PARLEY_SERVER_URL, or the
// embedded reference server started in-process on loopback with its data in the app's data folder.
import { join } from 'node:path'
import { startServer, type ServerHandle } from '../server'
import { createLogger } from '../shared/logger'

const log = createLogger('main:server')
export const EMBEDDED_SERVER_PORT = 3210

export interface ChosenServer {
  url: string
  stop(): Promise<void>
}

export async function chooseServer(userDataDir: string, nativeBinding: string): Promise<ChosenServer> {
  const given = process.env['PARLEY_SERVER_URL']
  if (given) return { url: given, stop: async () => {} }
  const options = { dataDir: join(userDataDir, 'server'), nativeBinding }
  let handle: ServerHandle
  try {
    handle = await startServer({ ...options, port: Number(process.env['PARLEY_PORT'] ?? EMBEDDED_SERVER_PORT) })
  } catch (err) {
    log.warn('preferred port busy; using a free one', { error: String(err) })
    handle = await startServer({ ...options, port: 0 })
  }
  log.info(`embedded server at ${handle.url}`)
  return { url: handle.url, stop: () => handle.close() }
}
