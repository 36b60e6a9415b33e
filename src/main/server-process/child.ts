// Owns the embedded server's own process (entry out/main/server-process.js, or this file under tsx): starts the
// reference server from the configuration its parent gives, reports where it listens, and stops on the parent's
// message, on a signal, or when the parent is gone. Runs under Electron's utilityProcess and Node's fork alike.
import { createLogger } from '../../shared/logger'
import { logUnhandledRejections } from '../../shared/last-resort'
import { startServer, type ServerHandle } from '../../server'
import {
  SERVER_CHILD_CONFIG_ENV,
  isAddressInUse,
  platformCredentialNotice,
  type ServerChildConfig,
  type ServerChildMessage,
  type ServerParentMessage
} from './protocol'

const log = createLogger('server:process')
logUnhandledRejections(log)

/** How often the child checks that its parent still runs (a parent killed outright sends no message). */
const PARENT_CHECK_INTERVAL_MS = 1_000
/** A graceful stop that takes longer than this ends the process anyway (the database commits are durable). */
const STOP_TIMEOUT_MS = 5_000

/** The link to the parent: Electron's utilityProcess gives process.parentPort, Node's fork process.send. */
interface ParentLink {
  send(message: ServerChildMessage): void
  onMessage(listener: (message: unknown) => void): void
  /** Node's fork: the IPC channel closed (the parent exited). */
  onDisconnect(listener: () => void): void
}

function parentLink(): ParentLink {
  // Electron adds parentPort to process in a utility process; plain Node has none.
  const port = (process as NodeJS.Process & { parentPort?: { postMessage(m: unknown): void; on(e: 'message', l: (e: { data: unknown }) => void): void } }).parentPort
  if (port) {
    return {
      send: (message) => port.postMessage(message),
      onMessage: (listener) => port.on('message', (event) => listener(event.data)),
      onDisconnect: () => undefined
    }
  }
  if (!process.send) throw new Error('server-process runs only as a child of a Parley shell (utilityProcess or fork).')
  return {
    send: (message) => {
      if (process.connected) process.send?.(message)
    },
    onMessage: (listener) => process.on('message', listener),
    onDisconnect: (listener) => process.on('disconnect', listener)
  }
}

function readConfig(): ServerChildConfig {
  const raw = process.env[SERVER_CHILD_CONFIG_ENV]
  if (!raw) throw new Error(`${SERVER_CHILD_CONFIG_ENV} is not set.`)
  return JSON.parse(raw) as ServerChildConfig
}

function parentAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function main(): Promise<void> {
  const link = parentLink()
  const config = readConfig()
  let server: ServerHandle | null = null
  let stopping: Promise<void> | null = null

  const stop = (why: string): Promise<void> => {
    stopping ??= (async () => {
      log.info('stopping the server', { why })
      const timer = setTimeout(() => process.exit(0), STOP_TIMEOUT_MS)
      timer.unref()
      try {
        await server?.close()
      } catch (err) {
        log.error('the server did not close cleanly', { error: err instanceof Error ? err.message : String(err) })
      }
      process.exit(0)
    })()
    return stopping
  }

  link.onMessage((message) => {
    if ((message as ServerParentMessage | null)?.type === 'stop') void stop('asked by the app')
  })
  link.onDisconnect(() => void stop('the app is gone'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
  const watchdog = setInterval(() => {
    if (!parentAlive(config.parentPid)) void stop('the app is gone')
  }, PARENT_CHECK_INTERVAL_MS)
  watchdog.unref()

  try {
    try {
      server = await startServer(config.options)
    } catch (err) {
      if (!config.fallbackToFreePort || config.options.port === 0 || !isAddressInUse(err)) throw err
      log.warn('server port busy; using a free one', { port: config.options.port })
      server = await startServer({ ...config.options, port: 0 })
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    link.send({ type: 'start-failed', code: isAddressInUse(err) ? 'ADDRESS_IN_USE' : 'START_FAILED', message })
    log.error('the server could not start', { error: message })
    // Let the message reach the parent before the process goes.
    setTimeout(() => process.exit(1), 100)
    return
  }
  if (stopping) {
    await server.close()
    return
  }
  console.log(`Parley server listening on ${server.url} (WebSocket: ${server.url.replace(/^http/, 'ws')}/ws)`)
  // Printed on stdout (the server log file), as `npm run server` does; the parent shows it to the user too.
  if (server.createdPlatformCredential) console.log(platformCredentialNotice(server.createdPlatformCredential))
  link.send({ type: 'listening', url: server.url, port: server.port, createdPlatformCredential: server.createdPlatformCredential })
}

main().catch((err: unknown) => {
  console.error(`The server process failed: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
