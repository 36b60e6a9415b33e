// Owns `npm run web`: reads flags/env, starts the embedded reference server unless --server is given,
// starts the browser host, prints the address to open, and shuts everything down on SIGINT/SIGTERM.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { DEFAULT_HOST_PORT, startHost, type RunningHost } from './index'
import { DEFAULT_PORT as DEFAULT_SERVER_PORT } from '../server/config'
import { createLogger } from '../shared/logger'
import { logUnhandledRejections } from '../shared/last-resort'
import { SERVER_URL_PATTERN } from '../shared/limits'

const log = createLogger('host:cli')
logUnhandledRejections(log)

const DATA_ROOT = '.parley-data'
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))

interface EmbeddedServer {
  url: string
  close(): Promise<void>
}

function fail(message: string): never {
  console.error(`Parley could not start: ${message}`)
  process.exit(1)
}

function parsePort(raw: string | undefined, fallback: number, what: string): number {
  if (raw === undefined || raw === '') return fallback
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`${what} must be a port number (0-65535), not "${raw}".`)
  return port
}

function readVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')) as { version?: unknown }
    return typeof manifest.version === 'string' ? manifest.version : '0.0.0'
  } catch {
    return '0.0.0'
  }
}

function isAddressInUse(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'EADDRINUSE' || (err instanceof Error && /EADDRINUSE|address already in use/i.test(err.message))
}

async function startEmbeddedServer(): Promise<EmbeddedServer> {
  // Loaded only when needed, so `--server URL` never opens the server's databases.
  const { startServer } = await import('../server')
  const dataDir = resolve(DATA_ROOT, 'server')
  const port = parsePort(process.env.PARLEY_PORT, DEFAULT_SERVER_PORT, 'PARLEY_PORT')
  try {
    return await startServer({ port, dataDir })
  } catch (err) {
    if (port === 0 || !isAddressInUse(err)) throw err
    log.warn('server port busy; using a free one', { port })
    return startServer({ port: 0, dataDir })
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, server: { type: 'string' }, help: { type: 'boolean' } },
    allowPositionals: false
  })
  if (values.help) {
    console.log('Usage: npm run web -- [--port N] [--server http://host:port]\n' +
      'Env: PARLEY_WEB_PORT (host port), PARLEY_SERVER_URL (chat server), PARLEY_PORT (embedded server port).')
    return
  }
  const port = parsePort(values.port ?? process.env.PARLEY_WEB_PORT, DEFAULT_HOST_PORT, '--port')
  const externalServer = (values.server ?? process.env.PARLEY_SERVER_URL)?.trim() || null
  if (externalServer !== null && !SERVER_URL_PATTERN.test(externalServer)) {
    fail(`the server address must look like http://host:port, not "${externalServer}".`)
  }
  const server = externalServer === null ? await startEmbeddedServer() : null
  const serverUrl = server ? server.url : (externalServer ?? '')

  let host: RunningHost
  try {
    host = await startHost({
      port,
      rendererDir: resolve(REPO_ROOT, 'out', 'renderer'),
      dataDir: resolve(DATA_ROOT, 'web'),
      defaultServerUrl: serverUrl,
      version: readVersion()
    })
  } catch (err) {
    await server?.close()
    const busy = isAddressInUse(err) ? `port ${port} is in use; choose another with --port.` : null
    fail(busy ?? (err instanceof Error ? err.message : String(err)))
  }

  console.log(`Parley is running. Open this address in your browser:\n  ${host.url}`)
  console.log(`Chat server: ${serverUrl}${server ? ' (embedded)' : ''}`)
  console.log('Press Ctrl+C to stop.')

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    log.info('shutting down', { signal })
    void (async () => {
      await host.close()
      await server?.close()
    })()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        console.error('Shutdown failed:', err)
        process.exit(1)
      })
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)))
