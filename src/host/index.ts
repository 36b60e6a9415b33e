// Owns the browser host's lifecycle: a loopback-only HTTP server for the built renderer plus the guarded
// WebSocket bridge to per-tab CoreSessions; startHost() brings both up, close() takes everything down.
import { access, realpath } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import type { Socket } from 'node:net'
import type { CoreSessionOptions } from '../main/core/api/session'
import { createLogger } from '../shared/logger'
import { createBridge, serveTokenCheck } from './bridge'
import { createAccessToken, isOwnHost, securityHeaders } from './security'
import { createStaticHandler } from './static-files'
import { FILES_ROUTE, fileRouteUrl, serveAttachmentFile } from './attachment-files'
import { TabSessions } from './tab-sessions'
import { prewarmMessageStore } from '../main/core/store/worker/worker-store'
import { discardWarmStoreWorker } from '../main/core/store/worker/warm-worker'
import { loopStallMonitorFromEnv, serveLoopStall } from './loop-stall'

const log = createLogger('host')

export const DEFAULT_HOST_PORT = 3211
/** Loopback only: the bridge gives full control of the signed-in accounts to whoever holds the token. */
const LOOPBACK = '127.0.0.1'

export interface HostOptions {
  /** Default 3211; 0 picks a free port. */
  port?: number
  /** The built renderer (out/renderer). */
  rendererDir: string
  /** Host data; each tab's databases go under <dataDir>/tabs/<tab>. */
  dataDir: string
  defaultServerUrl: string
  version: string
  /** How long a tab's session outlives its closed page (default TAB_SESSION_GRACE_MS). */
  sessionGraceMs?: number
  /** Extra CoreSession options for every tab (tests inject engine factories). */
  sessionOverrides?: Partial<CoreSessionOptions>
}

export interface RunningHost {
  /** The address to open, with ?token= */
  url: string
  port: number
  token: string
  close(): Promise<void>
}

/** The real path of the built renderer folder; fails with a hint when it has not been built. */
async function loadRenderer(rendererDir: string): Promise<string> {
  try {
    const root = await realpath(rendererDir)
    await access(join(root, 'index.html'))
    return root
  } catch {
    throw new Error(`The built renderer was not found in ${rendererDir}: run \`npm run build\` first.`)
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err)
    server.once('error', onError)
    server.listen(port, LOOPBACK, () => {
      server.off('error', onError)
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    })
  })
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  // The first tab's store thread loads its modules while the page loads: a saved sign-in then opens at once.
  prewarmMessageStore()
  const root = await loadRenderer(options.rendererDir)
  // The CSP names the bridge's port, known once listening; no request is served before that.
  let headers: Record<string, string> = {}
  let serveStatic: ReturnType<typeof createStaticHandler> | null = null
  const token = createAccessToken()
  const tabs = new TabSessions({
    dataDir: options.dataDir,
    defaultServerUrl: options.defaultServerUrl,
    version: options.version,
    graceMs: options.sessionGraceMs,
    sessionOverrides: options.sessionOverrides,
    fileOptions: (tab) => ({
      fileUrl: (messageId, which) => fileRouteUrl(token, tab, messageId, which),
      fileHooks: { downloadUrl: (messageId, which) => fileRouteUrl(token, tab, messageId, which, true) }
    })
  })
  let port = 0
  const bridge = createBridge({ token, port: () => port, tabs })
  const sockets = new Set<Socket>()

  // bench:ui reads the event-loop stall of this process (the core's) here; off unless PARLEY_DEBUG_LOOP_STALL=1.
  const loopStall = loopStallMonitorFromEnv()
  const server = createServer((req, res) => {
    if (!isOwnHost(req.headers.host, port)) {
      res.writeHead(403, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('Forbidden')
      return
    }
    if (loopStall && serveLoopStall(req, res, loopStall, token, headers)) return
    if (serveTokenCheck(req, res, token, headers)) return
    if (!serveStatic) {
      res.writeHead(503)
      res.end()
      return
    }
    const serving = (req.url ?? '').startsWith(FILES_ROUTE)
      ? serveAttachmentFile(req, res, { token, headers, sessionOf: (tab) => tabs.sessionOf(tab) })
      : serveStatic(req, res)
    serving.catch((err: unknown) => {
      log.error('serving a file failed', { error: String(err) })
      if (!res.headersSent) res.writeHead(500, headers)
      res.end()
    })
  })
  server.on('upgrade', (req, socket, head) => bridge.handleUpgrade(req, socket, head))
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  server.on('clientError', (_err, socket) => socket.destroy())

  port = await listen(server, options.port ?? DEFAULT_HOST_PORT)
  headers = securityHeaders(port)
  serveStatic = createStaticHandler(root, headers)
  const url = `http://${LOOPBACK}:${port}/?token=${token}`
  log.info('browser host listening', { port })

  let closing: Promise<void> | null = null
  return {
    url,
    port,
    token,
    close() {
      closing ??= (async () => {
        bridge.close()
        loopStall?.stop()
        await tabs.closeAll()
        await discardWarmStoreWorker()
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          for (const socket of sockets) socket.destroy()
        })
        log.info('browser host stopped')
      })()
      return closing
    }
  }
}
