// Owns running the reference server from a shell (`npm run server`): reads env and flags, prints the URL,
// and closes cleanly on SIGINT/SIGTERM.
import { serverOptionsFromEnv } from './env-options'
import { startServer } from './index'
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

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  // Flags win over the environment; both go through the one reader every run command shares.
  const env = {
    ...process.env,
    PARLEY_PORT: flagValue(args, '--port') ?? process.env.PARLEY_PORT,
    PARLEY_DATA_DIR: flagValue(args, '--data-dir') ?? process.env.PARLEY_DATA_DIR
  }
  const server = await startServer(serverOptionsFromEnv(env, { dataDir: DEFAULT_DATA_DIR }))
  console.log(`Parley server listening on ${server.url} (WebSocket: ${server.url.replace(/^http/, 'ws')}/ws)`)
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    console.log(`${signal} received; shutting down`)
    server.close().then(
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
