// Owns what `npm run web` is asked to do: its flags and the environment (the README's server variables too),
// resolved into one WebConfig. Pure: no I/O, so tests check every variable without starting anything.
import { isAbsolute, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { ServerOptions } from '../server/options'
import { parsePort, ServerEnvError, serverOptionsFromEnv } from '../server/env-options'
import { SERVER_URL_PATTERN } from '../shared/limits'
import { DEFAULT_HOST_PORT } from './index'

/** Where `npm run web` keeps its data when PARLEY_DATA_DIR is not set (relative to the working folder). */
export const DEFAULT_WEB_DATA_ROOT = '.parley-data'

export const WEB_USAGE =
  'Usage: npm run web -- [--port N] [--server http://host:port]\n' +
  'Env: PARLEY_WEB_PORT (host port), PARLEY_SERVER_URL (an external chat server), PARLEY_WEB_DATA_DIR (the tabs\' data),\n' +
  '     and for the embedded server, as for `npm run server`: PARLEY_HOST, PARLEY_PORT, PARLEY_DATA_DIR,\n' +
  '     PARLEY_TOKEN_TTL_SEC; PARLEY_LOG sets the log level.'

export interface WebConfig {
  help: boolean
  /** The browser host's port (0: any free one). */
  hostPort: number
  /** Each tab's databases go under <hostDataDir>/tabs/<tab>. */
  hostDataDir: string
  /** A chat server given by the user; then nothing is embedded. */
  externalServerUrl: string | null
  /** The embedded server's options, read exactly as `npm run server` reads them; null with an external server. */
  embeddedServer: (ServerOptions & { port: number }) | null
}

export class WebConfigError extends Error {}

type Env = Readonly<Record<string, string | undefined>>

function absolute(dir: string, cwd: string): string {
  return isAbsolute(dir) ? dir : resolve(cwd, dir)
}

/**
 * Reads flags and environment. PARLEY_DATA_DIR is the embedded server's data folder, as for `npm run server`;
 * without it the server keeps ./.parley-data/server. The tabs' data goes to PARLEY_WEB_DATA_DIR, else next
 * to the server's (<PARLEY_DATA_DIR>/web), else ./.parley-data/web.
 */
export function resolveWebConfig(argv: readonly string[], env: Env, cwd: string): WebConfig {
  let values: { port?: string; server?: string; help?: boolean }
  try {
    values = parseArgs({
      args: [...argv],
      options: { port: { type: 'string' }, server: { type: 'string' }, help: { type: 'boolean' } },
      allowPositionals: false
    }).values
  } catch (err) {
    throw new WebConfigError(err instanceof Error ? err.message : String(err))
  }
  let hostPort: number
  try {
    hostPort = parsePort(values.port ?? env['PARLEY_WEB_PORT'], DEFAULT_HOST_PORT, '--port')
  } catch (err) {
    if (err instanceof ServerEnvError) throw new WebConfigError(err.message)
    throw err
  }
  const externalServerUrl = (values.server ?? env['PARLEY_SERVER_URL'])?.trim() || null
  if (externalServerUrl !== null && !SERVER_URL_PATTERN.test(externalServerUrl)) {
    throw new WebConfigError(`the server address must look like http://host:port, not "${externalServerUrl}".`)
  }
  const dataRoot = env['PARLEY_DATA_DIR']?.trim() || null
  const webDataDir = env['PARLEY_WEB_DATA_DIR']?.trim() || null
  const hostDataDir = absolute(webDataDir ?? (dataRoot ? join(dataRoot, 'web') : join(DEFAULT_WEB_DATA_ROOT, 'web')), cwd)
  let embeddedServer: WebConfig['embeddedServer'] = null
  if (externalServerUrl === null) {
    try {
      embeddedServer = serverOptionsFromEnv(env, { dataDir: join(DEFAULT_WEB_DATA_ROOT, 'server'), cwd })
    } catch (err) {
      if (err instanceof ServerEnvError) throw new WebConfigError(err.message)
      throw err
    }
  }
  return { help: values.help === true, hostPort, hostDataDir, externalServerUrl, embeddedServer }
}
