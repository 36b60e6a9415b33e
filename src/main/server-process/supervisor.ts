// Owns the embedded server's process for a shell (Electron or the browser host; they only say how to spawn it):
// starts it and waits for its address, restarts it on the same port with backoff when it dies, and stops it
// gracefully with the app (then for good, so no orphan keeps the port and the database).
import type { Readable } from 'node:stream'
import { createLogger } from '../../shared/logger'
import type { ServerLogFile } from './log-file'
import { lowerProcessPriority } from './process-priority'
import {
  isServerChildMessage,
  type ServerChildConfig,
  type ServerChildMessage,
  type ServerParentMessage,
  type ServerStartFailure
} from './protocol'

const log = createLogger('main:server-process')

/** A start that has not reported its address by then failed (opening and migrating a large database included). */
export const SERVER_START_TIMEOUT_MS = 60_000
/** The first restart after a crash waits this long; each failed restart doubles it up to the maximum. */
export const SERVER_RESTART_BASE_MS = 250
export const SERVER_RESTART_MAX_MS = 30_000
/** A server that ran this long before dying restarts with the first delay again (it was not a crash loop). */
const SERVER_STABLE_AFTER_MS = 60_000
/** A graceful stop gets this long before the process is killed. */
export const SERVER_STOP_TIMEOUT_MS = 8_000

/** A spawned server process, as each shell's spawner presents it (utilityProcess or a Node child). */
export interface ServerChildHandle {
  readonly pid: number | undefined
  readonly stdout: Readable | NodeJS.ReadableStream | null
  readonly stderr: Readable | NodeJS.ReadableStream | null
  send(message: ServerParentMessage): void
  onMessage(listener: (message: unknown) => void): void
  onExit(listener: (code: number | null) => void): void
  /** Ends it at once (SIGKILL on POSIX). */
  kill(): void
}

export type SpawnServerChild = (config: ServerChildConfig) => ServerChildHandle

export class ServerStartError extends Error {
  constructor(
    readonly code: ServerStartFailure | 'EXITED' | 'TIMEOUT',
    message: string
  ) {
    super(message)
    this.name = 'ServerStartError'
  }
}

export interface SuperviseServerOptions {
  spawn: SpawnServerChild
  options: ServerChildConfig['options']
  logFile: ServerLogFile
  /** The platform API credential the first start of a data folder created: the shell shows it to the user. */
  onPlatformCredential?: (credential: string) => void
  /** Tests shorten these. */
  restartBaseMs?: number
  restartMaxMs?: number
  startTimeoutMs?: number
}

export interface SupervisedServer {
  readonly url: string
  readonly port: number
  /** The running process's pid (undefined between a crash and its restart). */
  readonly pid: number | undefined
  /** Restarts after the process died (diagnostics, tests). */
  readonly restarts: number
  stop(): Promise<void>
}

interface Started {
  child: ServerChildHandle
  url: string
  port: number
  exited: Promise<number | null>
}

/** Spawns one server process and waits for its address; rejects with ServerStartError when it cannot start. */
function startOnce(options: SuperviseServerOptions, config: ServerChildConfig): Promise<Started> {
  const child = options.spawn(config)
  // Its CPU priority is lowered at once when the pid is known (a Node fork) and again when it listens (a utilityProcess
  // has no pid before its spawn event; on Linux, threads the child started meanwhile).
  if (child.pid !== undefined) lowerProcessPriority(child.pid)
  options.logFile.follow(child.stdout)
  options.logFile.follow(child.stderr)
  let exitCode: (code: number | null) => void = () => undefined
  const exited = new Promise<number | null>((resolve) => (exitCode = resolve))
  child.onExit((code) => exitCode(code))
  return new Promise<Started>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill()
      reject(new ServerStartError('TIMEOUT', 'The chat server did not start in time.'))
    }, options.startTimeoutMs ?? SERVER_START_TIMEOUT_MS)
    child.onMessage((message: unknown) => {
      if (!isServerChildMessage(message)) return
      const typed: ServerChildMessage = message
      if (typed.type === 'listening') {
        clearTimeout(timer)
        if (child.pid !== undefined) lowerProcessPriority(child.pid)
        if (typed.createdPlatformCredential) options.onPlatformCredential?.(typed.createdPlatformCredential)
        resolve({ child, url: typed.url, port: typed.port, exited })
      } else if (typed.type === 'start-failed') {
        clearTimeout(timer)
        reject(new ServerStartError(typed.code, `The chat server could not start: ${typed.message}`))
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new ServerStartError('EXITED', `The chat server stopped while starting (exit code ${code}).`))
    })
  })
}

/**
 * Starts the embedded server in its own process and keeps it running: the first start may move to a free port when
 * the saved one is taken; a restart after a crash keeps the port (the saved sign-ins point at it), with backoff.
 */
export async function superviseServer(options: SuperviseServerOptions): Promise<SupervisedServer> {
  const baseMs = options.restartBaseMs ?? SERVER_RESTART_BASE_MS
  const maxMs = options.restartMaxMs ?? SERVER_RESTART_MAX_MS
  let current: Started | null = await startOnce(options, { options: options.options, fallbackToFreePort: true, parentPid: process.pid })
  const { url, port } = current
  let stopping = false
  let restarts = 0
  let delayMs = baseMs
  let restartTimer: NodeJS.Timeout | null = null
  options.logFile.note(`server process ${current.child.pid ?? '?'} listening on ${url}`)
  log.info('embedded server started in its own process', { url, pid: current.child.pid })

  const restart = (): void => {
    restartTimer = null
    if (stopping) return
    restarts += 1
    startOnce(options, { options: { ...options.options, port }, fallbackToFreePort: false, parentPid: process.pid }).then(
      (started) => {
        if (stopping) {
          started.child.send({ type: 'stop' })
          return
        }
        watch(started)
        options.logFile.note(`server process ${started.child.pid ?? '?'} restarted on ${started.url}`)
        log.info('embedded server restarted', { url: started.url, pid: started.child.pid, restarts })
      },
      (err: unknown) => {
        delayMs = Math.min(delayMs * 2, maxMs)
        const message = err instanceof Error ? err.message : String(err)
        options.logFile.note(`restart failed (${message}); next try in ${delayMs} ms`)
        log.error('restarting the embedded server failed', { error: message, retryInMs: delayMs })
        if (!stopping) restartTimer = setTimeout(restart, delayMs)
      }
    )
  }

  const watch = (started: Started): void => {
    current = started
    const since = Date.now()
    void started.exited.then((code) => {
      if (current === started) current = null
      if (stopping) return
      if (Date.now() - since >= SERVER_STABLE_AFTER_MS) delayMs = baseMs
      options.logFile.note(`server process ${started.child.pid ?? '?'} exited unexpectedly (code ${code}); restarting in ${delayMs} ms`)
      log.error('the embedded server stopped unexpectedly; restarting it on the same port', { code, port, inMs: delayMs })
      restartTimer = setTimeout(restart, delayMs)
    })
  }
  watch(current)

  return {
    url,
    port,
    get pid() {
      return current?.child.pid
    },
    get restarts() {
      return restarts
    },
    async stop() {
      if (stopping) return
      stopping = true
      if (restartTimer) clearTimeout(restartTimer)
      const running = current
      if (!running) return
      running.child.send({ type: 'stop' })
      const timer = setTimeout(() => {
        log.warn('the embedded server did not stop in time; killing it', { pid: running.child.pid })
        running.child.kill()
      }, SERVER_STOP_TIMEOUT_MS)
      await running.exited
      clearTimeout(timer)
      options.logFile.note(`server process ${running.child.pid ?? ''} stopped`)
    }
  }
}
