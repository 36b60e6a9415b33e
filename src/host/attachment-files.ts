// Owns the browser host's route for cached attachments, /files/<tab>/<messageId>/<which>?token=: guarded by the
// host's token, served only from the tab's signed-in account's cache (never a path from the URL), with Range.
import { createReadStream } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { CoreSession } from '../main/core/api/session'
import { contentDisposition, parseRange, servedMime } from '../main/core/attachments/serving'
import type { AttachmentWhich } from '../shared/model'
import { createLogger } from '../shared/logger'
import { isValidTabId, tokenMatches } from './security'

const log = createLogger('host:files')

export const FILES_ROUTE = '/files/'
const FILE_PATH = /^\/files\/([A-Za-z0-9_-]{8,64})\/([0-9a-f]{32})\/(file|thumbnail|poster)$/

/** The URL the tab's renderer loads a cached file from (the token guards it like the bridge). */
export function fileRouteUrl(token: string, tab: string, messageId: string, which: AttachmentWhich, download = false): string {
  return `${FILES_ROUTE}${tab}/${messageId}/${which}?token=${token}${download ? '&download=1' : ''}`
}

function refuse(res: ServerResponse, status: number, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end(status === 404 ? 'Not found' : 'Forbidden')
}

export async function serveAttachmentFile(
  req: IncomingMessage,
  res: ServerResponse,
  options: { token: string; headers: Record<string, string>; sessionOf: (tab: string) => CoreSession | null }
): Promise<void> {
  const { headers } = options
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD')
    return refuse(res, 405, headers)
  }
  if (!tokenMatches(options.token, url.searchParams.get('token'))) {
    log.warn('refused a file request with a wrong token')
    return refuse(res, 403, headers)
  }
  const match = FILE_PATH.exec(url.pathname)
  if (!match || !isValidTabId(match[1]!)) return refuse(res, 404, headers)
  const session = options.sessionOf(match[1]!)
  const file = session ? await session.cachedFile(match[2]!, match[3] as AttachmentWhich) : null
  if (!file) return refuse(res, 404, headers)
  const download = url.searchParams.get('download') === '1'
  const { mime, inline } = servedMime(file.mime)
  const range = parseRange(req.headers.range, file.size)
  const common = {
    ...headers,
    'Content-Type': mime,
    'Content-Disposition': contentDisposition(file.name, download || !inline),
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'private, no-cache'
  }
  if (range === 'invalid') {
    res.writeHead(416, { ...common, 'Content-Range': `bytes */${file.size}` })
    res.end()
    return
  }
  const start = range?.start ?? 0
  const end = range?.end ?? file.size - 1
  res.writeHead(range ? 206 : 200, {
    ...common,
    'Content-Length': String(Math.max(0, end - start + 1)),
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${file.size}` } : {})
  })
  if (req.method === 'HEAD' || file.size === 0) {
    res.end()
    return
  }
  const stream = createReadStream(file.path, { start, end })
  stream.on('error', (err) => {
    log.warn('reading a cached file failed', { error: err.message })
    res.destroy(err)
  })
  stream.pipe(res)
}
