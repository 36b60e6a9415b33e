// Owns starting what `npm run web` runs from a WebConfig: the embedded reference server in its own child process
// (unless an external one is given) and the browser host pointed at it; close() stops both. The CLI only prints.
import { join } from 'node:path'
import { isAddressInUse, platformCredentialNotice } from '../main/server-process/protocol'
import { startHost, type RunningHost } from './index'
import { startServerChild } from './server-child'
import type { WebConfig } from './web-config'

export interface RunningWeb {
  host: RunningHost
  /** The chat server the tabs sign in to (the embedded one's address, or the external one). */
  serverUrl: string
  embedded: boolean
  /** The embedded server's process id (null with an external server), and its log file's folder. */
  serverPid(): number | null
  serverLogDir: string | null
  close(): Promise<void>
}

export interface StartWebOptions {
  /** The built renderer (out/renderer). */
  rendererDir: string
  version: string
  /** The platform API credential the embedded server's first start created (the CLI prints it). */
  onPlatformCredential?: (notice: string) => void
}

/** The browser host's logs (the embedded server's among them): the data folder's logs/. */
export function webLogDir(config: WebConfig): string {
  return join(config.hostDataDir, 'logs')
}

export class HostPortInUseError extends Error {}

export async function startWeb(config: WebConfig, options: StartWebOptions): Promise<RunningWeb> {
  const logDir = webLogDir(config)
  const server = config.embeddedServer
    ? await startServerChild({
        options: config.embeddedServer,
        logDir,
        onPlatformCredential: (credential) => options.onPlatformCredential?.(platformCredentialNotice(credential))
      })
    : null
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
    await server?.stop()
    if (isAddressInUse(err)) throw new HostPortInUseError(`port ${config.hostPort} is in use; choose another with --port.`)
    throw err
  }
  let closing: Promise<void> | null = null
  return {
    host,
    serverUrl,
    embedded: server !== null,
    serverPid: () => server?.pid ?? null,
    serverLogDir: server ? logDir : null,
    close() {
      closing ??= (async () => {
        await host.close()
        await server?.stop()
      })()
      return closing
    }
  }
}
