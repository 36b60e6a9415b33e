// Owns starting the browser host's embedded server in a child process (Node's fork of the same entry the Electron
// app runs in its utilityProcess, src/main/server-process/child.ts), its log in the data folder's logs/.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { entryBesideBundle } from '../shared/bundle-entry'
import { ServerLogFile } from '../main/server-process/log-file'
import { SERVER_CHILD_CONFIG_ENV, type ServerChildConfig } from '../main/server-process/protocol'
import { superviseServer, type ServerChildHandle, type SupervisedServer, type SuperviseServerOptions } from '../main/server-process/supervisor'

/**
 * A built server-process entry to fork instead (a path): `npm run web` sets it to the out/main/server-process.js it
 * has just built, because a child that loads the server's TypeScript through tsx takes seconds to listen.
 */
export const SERVER_CHILD_ENTRY_ENV = 'PARLEY_SERVER_PROCESS_ENTRY'

/**
 * The child's entry and how to run it: the TypeScript source under tsx (`npm run web`, tests) with tsx's loader in
 * the child, or the bundled out/main/server-process.js when this module runs from a bundle.
 */
export function serverChildEntry(moduleUrl: string = import.meta.url, env: NodeJS.ProcessEnv = process.env): { path: string; execArgv: string[] } {
  const given = env[SERVER_CHILD_ENTRY_ENV]?.trim()
  if (given) return { path: given, execArgv: [] }
  if (moduleUrl.endsWith('.ts')) {
    return {
      path: fileURLToPath(new URL('../main/server-process/child.ts', moduleUrl)),
      // The child does not inherit the parent's loader hooks: register tsx's in it.
      execArgv: ['--import', import.meta.resolve('tsx')]
    }
  }
  return { path: fileURLToPath(entryBesideBundle('server-process.js', moduleUrl)), execArgv: [] }
}

/** Node's fork of the server child, with its stdout and stderr piped (to the log file) and an IPC channel. */
export function forkServerChild(config: ServerChildConfig): ServerChildHandle {
  const entry = serverChildEntry()
  const child = fork(entry.path, [], {
    execArgv: entry.execArgv,
    env: { ...process.env, [SERVER_CHILD_CONFIG_ENV]: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc']
  })
  return {
    get pid() {
      return child.pid
    },
    stdout: child.stdout,
    stderr: child.stderr,
    send: (message) => {
      if (child.connected) child.send(message)
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => child.kill('SIGKILL')
  }
}

export interface ServerChildOptions extends Omit<SuperviseServerOptions, 'spawn' | 'logFile'> {
  /** The folder of the server's log file (the browser host's data folder's logs/). */
  logDir: string
}

/** Starts the embedded server in a supervised child process (restarted on its port if it dies). */
export function startServerChild(options: ServerChildOptions): Promise<SupervisedServer> {
  const { logDir, ...rest } = options
  return superviseServer({ ...rest, spawn: forkServerChild, logFile: new ServerLogFile(logDir) })
}
