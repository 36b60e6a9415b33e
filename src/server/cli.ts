// Owns running the reference server from a shell (`npm run server`): reads env and flags, prints the URL,
// and closes cleanly on SIGINT/SIGTERM.
import path from 'node:path'
import { DEFAULT_HOST, DEFAULT_PORT } from './config'
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

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PORT
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`"${raw}" is not a valid port.`)
  return port
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const ttlRaw = process.env.PARLEY_TOKEN_TTL_SEC
  const server = await startServer({
    host: process.env.PARLEY_HOST || DEFAULT_HOST,
    port: parsePort(flagValue(args, '--port') ?? process.env.PARLEY_PORT),
    dataDir: path.resolve(flagValue(args, '--data-dir') ?? process.env.PARLEY_DATA_DIR ?? DEFAULT_DATA_DIR),
    tokenTtlSec: ttlRaw ? Number(ttlRaw) : undefined
  })
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
