// Owns serving the built renderer: GET/HEAD of files inside rendererDir only (resolved and re-checked
// against the real path, so no traversal or symlink escapes), with MIME types and the security headers.
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, resolve, sep } from 'node:path'
import { createLogger } from '../shared/logger'

const log = createLogger('host:static')

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm'
}
const DEFAULT_MIME = 'application/octet-stream'
const INDEX_FILE = 'index.html'

export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root + sep)
}

/** The URL path as a relative file path, or null when it cannot be decoded or contains a NUL byte. */
function requestedPath(url: string | undefined): string | null {
  const rawPath = (url ?? '/').split(/[?#]/, 1)[0] ?? '/'
  let decoded: string
  try {
    decoded = decodeURIComponent(rawPath)
  } catch {
    return null
  }
  if (decoded.includes('\0')) return null
  return decoded === '/' || decoded === '' ? INDEX_FILE : decoded.replace(/^[/\\]+/, '')
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end(text)
}

/** rootRealPath must already be a real (symlink-free) absolute path. */
export function createStaticHandler(rootRealPath: string, headers: Record<string, string>): StaticHandler {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      sendText(res, 405, 'Method not allowed', headers)
      return
    }
    const relative = requestedPath(req.url)
    const candidate = relative === null ? null : resolve(rootRealPath, relative)
    if (candidate === null || !isInside(rootRealPath, candidate)) {
      log.warn('refused a path outside the renderer folder', { url: (req.url ?? '').slice(0, 200) })
      sendText(res, 404, 'Not found', headers)
      return
    }
    let filePath: string
    let size: number
    try {
      filePath = await realpath(candidate)
      const info = await stat(filePath)
      if (!info.isFile() || !isInside(rootRealPath, filePath)) throw new Error('not a file inside the root')
      size = info.size
    } catch {
      sendText(res, 404, 'Not found', headers)
      return
    }
    const isIndex = filePath === resolve(rootRealPath, INDEX_FILE)
    res.writeHead(200, {
      ...headers,
      'Content-Type': MIME_TYPES[extname(filePath).toLowerCase()] ?? DEFAULT_MIME,
      'Content-Length': String(size),
      // Built assets carry a content hash in their name; index.html must always be fetched fresh.
      'Cache-Control': isIndex ? 'no-cache' : 'public, max-age=3600'
    })
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    const stream = createReadStream(filePath)
    stream.on('error', (err) => {
      log.warn('reading a renderer file failed', { filePath, error: err.message })
      res.destroy(err)
    })
    stream.pipe(res)
  }
}
