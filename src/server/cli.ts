// Owns running the reference server from a shell (`npm run server`): reads env and flags, prints the URL (and the
// platform API's app credential on the first start), drains on SIGTERM, closes on SIGINT; `rotate-credential` rotates it.
import { serverOptionsFromEnv } from './env-options'
import { startServer } from './index'
import { createAppCredentials } from './auth/app-credential'
import { openServerStore } from './store/worker-store'
import { storageConfigFromEnv } from './config'
import { createLogger } from '../shared/logger'
import { logUnhandledRejections } from '../shared/last-resort'

logUnhandledRejections(createLogger('server:cli'))

const DEFAULT_DATA_DIR = './.parley-data'

function flagValue(args: readonly string[], name: string): string | undefined {
  const inline = args.find((arg) => arg.startsWith(`${name}=`))
  if (inline) return inline.slice(name.length + 1)
  const index = args.indexOf(name)
  return index >= 0 ? args[index + 1] : undefined
}

/** Printed once, on stdout only (never through the logger, which may ship logs elsewhere). */
function printCredential(credential: string, why: string): void {
  console.log(`${why} Platform API app credential (shown only now; it is stored as a hash):\n\n  ${credential}\n`)
  console.log('Use it as "Authorization: Bearer <credential>" on /api/platform/v1; rotate it with `rotate-credential`.')
}

/** `rotate-credential`: a new app credential for the data folder; a server running on it refuses the old one at once. */
async function rotateCredential(options: ReturnType<typeof serverOptionsFromEnv>): Promise<void> {
  // The store the server keeps: PostgreSQL in cluster mode (PARLEY_DATABASE_URL), else SQLite in the data folder.
  const databaseUrl = storageConfigFromEnv().databaseUrl ?? undefined
  const store = await openServerStore(options.dataDir, { nativeBinding: options.nativeBinding, databaseUrl })
  try {
    printCredential(await createAppCredentials(store).rotate(), 'Rotated: the old credential no longer works.')
  } finally {
    await store.close()
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  // Flags win over the environment; both go through the one reader every run command shares.
  const env = {
    ...process.env,
    PARLEY_PORT: flagValue(args, '--port') ?? process.env.PARLEY_PORT,
    PARLEY_DATA_DIR: flagValue(args, '--data-dir') ?? process.env.PARLEY_DATA_DIR
  }
  const options = serverOptionsFromEnv(env, { dataDir: DEFAULT_DATA_DIR })
  if (args[0] === 'rotate-credential') {
    await rotateCredential(options)
    return
  }
  const server = await startServer(options)
  console.log(`Parley server listening on ${server.url} (WebSocket: ${server.url.replace(/^http/, 'ws')}/ws)`)
  if (server.createdPlatformCredential) printCredential(server.createdPlatformCredential, 'First start.')
  let stopping = false
  // SIGTERM (an orchestrator, systemd) drains: not ready at once, clients told to move to another node, commits
  // finished. SIGINT (Ctrl-C) closes as a restart: clients come back here after a spread-out delay.
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    console.log(signal === 'SIGTERM' ? 'SIGTERM received; draining' : `${signal} received; shutting down`)
    const stopped = signal === 'SIGTERM' ? server.drain() : server.close()
    stopped.then(
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

main().catch((err: unknown) => {
  console.error(`The server could not start: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
