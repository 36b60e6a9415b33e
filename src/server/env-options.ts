// Owns reading the README's server variables (PARLEY_HOST, PARLEY_PORT, PARLEY_DATA_DIR, PARLEY_TOKEN_TTL_SEC) into
// ServerOptions, once, for every run command: `npm run server`, `npm run web` and the desktop app's embedded server.
import { isAbsolute, resolve } from 'node:path'
import { DEFAULT_HOST, DEFAULT_PORT } from './config'
import type { ServerOptions } from './options'

type Env = Readonly<Record<string, string | undefined>>

/** A variable with a value that cannot be used; the message is a sentence naming it. */
export class ServerEnvError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ServerEnvError'
  }
}

export interface EnvDefaults {
  /** The data folder when PARLEY_DATA_DIR is not set. */
  dataDir: string
  /** The port when PARLEY_PORT is not set (a remembered one, say). */
  port?: number
  /** Relative folders are taken from here. */
  cwd?: string
}

function given(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim()
  return raw ? raw : undefined
}

export function parsePort(raw: string | undefined, fallback: number, what = 'PARLEY_PORT'): number {
  if (raw === undefined || raw === '') return fallback
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ServerEnvError(`${what} must be a port number (0-65535), not "${raw}".`)
  }
  return port
}

function parseTtl(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const ttl = Number(raw)
  if (!Number.isFinite(ttl) || ttl <= 0) {
    throw new ServerEnvError(`PARLEY_TOKEN_TTL_SEC must be a positive number of seconds, not "${raw}".`)
  }
  return ttl
}

/** The embedded or standalone server's options from the environment (the other variables are read by resolveConfig). */
export function serverOptionsFromEnv(env: Env, defaults: EnvDefaults): ServerOptions & { host: string; port: number } {
  const cwd = defaults.cwd ?? process.cwd()
  const dataDir = given(env, 'PARLEY_DATA_DIR') ?? defaults.dataDir
  return {
    host: given(env, 'PARLEY_HOST') ?? DEFAULT_HOST,
    port: parsePort(given(env, 'PARLEY_PORT'), defaults.port ?? DEFAULT_PORT),
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir),
    tokenTtlSec: parseTtl(given(env, 'PARLEY_TOKEN_TTL_SEC'))
  }
}
