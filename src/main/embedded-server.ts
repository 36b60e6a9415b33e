// Owns the choice of chat server for the desktop app: the address given in PARLEY_SERVER_URL, or the embedded
// reference server in its own process (Electron utilityProcess, supervised by server-process/supervisor.ts) on
// loopback, with its data in the app's data folder and its log in the app's log folder.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, utilityProcess } from 'electron'
import { serverOptionsFromEnv } from '../server/env-options'
import { createLogger } from '../shared/logger'
import { entryBesideBundle } from '../shared/bundle-entry'
import { ServerLogFile } from './server-process/log-file'
import { SERVER_CHILD_CONFIG_ENV, platformCredentialNotice, type ServerChildConfig } from './server-process/protocol'
import { superviseServer, type ServerChildHandle } from './server-process/supervisor'

const log = createLogger('main:server')
/** The port the embedded server last used: a saved sign-in points at it, so it is kept across launches. */
const PORT_FILE = 'port'
/** The server process's bundle (electron-vite's `server-process` main entry), beside index.js. */
const SERVER_ENTRY = 'server-process.js'

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

/** out/main/server-process.js: beside this bundle, or one folder up when this module sits in a shared chunk. */
function serverEntryPath(): string {
  return fileURLToPath(entryBesideBundle(SERVER_ENTRY, import.meta.url))
}

/** The server process as a utility process of the app (stdout and stderr piped to the log file). */
function forkUtilityServer(config: ServerChildConfig): ServerChildHandle {
  const child = utilityProcess.fork(serverEntryPath(), [], {
    serviceName: 'Parley server',
    stdio: 'pipe',
    env: { ...process.env, [SERVER_CHILD_CONFIG_ENV]: JSON.stringify(config) }
  })
  return {
    get pid() {
      return child.pid
    },
    get stdout() {
      return child.stdout
    },
    get stderr() {
      return child.stderr
    },
    send: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => {
      child.kill()
    }
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
  const logFile = new ServerLogFile(app.getPath('logs'))
  const server = await superviseServer({
    spawn: forkUtilityServer,
    options: { ...options, nativeBinding },
    logFile,
    // Shown once: on the console of `npm run dev` and in the server log (the server stores only its hash).
    onPlatformCredential: (credential) => console.log(platformCredentialNotice(credential))
  })
  mkdirSync(dataDir, { recursive: true })
  writeFileSync(join(dataDir, PORT_FILE), `${server.port}\n`)
  log.info(`embedded server at ${server.url} (its own process; log in ${logFile.path})`)
  return { url: server.url, stop: () => server.stop() }
}
