// Owns starting what `npm run web` runs from a WebConfig: the embedded reference server (unless an external
// one is given) and the browser host pointed at it; close() stops both. The CLI only parses and prints.
import { createLogger } from '../shared/logger'
import { startHost, type RunningHost } from './index'
import type { WebConfig } from './web-config'

const log = createLogger('host:web')

export interface RunningWeb {
  host: RunningHost
  /** The chat server the tabs sign in to (the embedded one's address, or the external one). */
  serverUrl: string
  embedded: boolean
  close(): Promise<void>
}

export interface StartWebOptions {
  /** The built renderer (out/renderer). */
  rendererDir: string
  version: string
}

interface EmbeddedServer {
  url: string
  close(): Promise<void>
}

function isAddressInUse(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'EADDRINUSE' || (err instanceof Error && /EADDRINUSE|address already in use/i.test(err.message))
}

async function startEmbeddedServer(options: NonNullable<WebConfig['embeddedServer']>): Promise<EmbeddedServer> {
  // Loaded only when needed, so `--server URL` never opens the server's databases.
  const { startServer } = await import('../server')
  try {
    return await startServer(options)
  } catch (err) {
    if (options.port === 0 || !isAddressInUse(err)) throw err
    log.warn('server port busy; using a free one', { port: options.port })
    return startServer({ ...options, port: 0 })
  }
}

export class HostPortInUseError extends Error {}

export async function startWeb(config: WebConfig, options: StartWebOptions): Promise<RunningWeb> {
  const server = config.embeddedServer ? await startEmbeddedServer(config.embeddedServer) : null
  const serverUrl = server ? server.url : (config.externalServerUrl ?? '')
  let host: RunningHost
  try {
    host = await startHost({
      port: config.hostPort,
      rendererDir: options.rendererDir,
      dataDir: config.hostDataDir,
      defaultServerUrl: serverUrl,
      version: options.version
    })
  } catch (err) {
    await server?.close()
    if (isAddressInUse(err)) throw new HostPortInUseError(`port ${config.hostPort} is in use; choose another with --port.`)
    throw err
  }
  let closing: Promise<void> | null = null
  return {
    host,
    serverUrl,
    embedded: server !== null,
    close() {
      closing ??= (async () => {
        await host.close()
        await server?.close()
      })()
      return closing
    }
  }
}
