// Owns `npm run web` as a command: reads flags and env (web-config.ts), starts the server and host
// (web-run.ts), prints the address to open, and shuts everything down on SIGINT/SIGTERM.
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLogger } from '../shared/logger'
import { logUnhandledRejections } from '../shared/last-resort'
import { resolveWebConfig, WEB_USAGE, type WebConfig } from './web-config'
import { startWeb } from './web-run'
import { SERVER_CHILD_ENTRY_ENV } from './server-child'
import { STORE_WORKER_ENTRY_ENV } from '../main/core/store/worker/worker-store'

const log = createLogger('host:cli')
logUnhandledRejections(log)

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))

function fail(message: string): never {
  console.error(`Parley could not start: ${message}`)
  process.exit(1)
}

function readVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')) as { version?: unknown }
    return typeof manifest.version === 'string' ? manifest.version : '0.0.0'
  } catch {
    return '0.0.0'
  }
}

/**
 * `npm run web` has just built the main bundles: the store's worker threads and the server's child process start
 * from them (plain JavaScript, fast) instead of loading the TypeScript sources through tsx (seconds each).
 */
function useBuiltEntries(): void {
  const built: Array<[string, string]> = [
    [STORE_WORKER_ENTRY_ENV, resolve(REPO_ROOT, 'out', 'main', 'core-store-worker.js')],
    [SERVER_CHILD_ENTRY_ENV, resolve(REPO_ROOT, 'out', 'main', 'server-process.js')]
  ]
  for (const [name, path] of built) {
    if (!process.env[name] && existsSync(path)) process.env[name] = path
  }
}

async function main(): Promise<void> {
  useBuiltEntries()
  let config: WebConfig
  try {
    config = resolveWebConfig(process.argv.slice(2), process.env, process.cwd())
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err))
  }
  if (config.help) {
    console.log(WEB_USAGE)
    return
  }
  const web = await startWeb(config, {
    rendererDir: resolve(REPO_ROOT, 'out', 'renderer'),
    version: readVersion(),
    // The platform API credential of the embedded server's first start: shown once, here (and in its log).
    onPlatformCredential: (notice) => console.log(notice)
  })

  console.log(`Parley is running. Open this address in your browser:\n  ${web.host.url}`)
  console.log(`Chat server: ${web.serverUrl}${web.embedded ? ` (embedded, data in ${config.embeddedServer?.dataDir ?? ''})` : ''}`)
  if (web.serverLogDir) console.log(`Server log: ${web.serverLogDir}`)
  console.log('Press Ctrl+C to stop.')

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    log.info('shutting down', { signal })
    web.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('Shutdown failed:', err)
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)))
