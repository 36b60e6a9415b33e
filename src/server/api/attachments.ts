// Owns the attachment HTTP routes (see "Attachments" in src/server/README.md): resumable uploads (create, HEAD offset,
// PATCH bytes, complete, cancel) and downloads with Range, each authorised by a Bearer token or the attachment's secret.
import fs from 'node:fs'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TokenService } from '../auth/tokens'
import { DOWNLOAD_READ_CHUNK_BYTES } from '../services/attachments/config'
import type { AttachmentFailure, AttachmentService, NewUpload } from '../services/attachments/service'

export const ATTACHMENTS_PREFIX = '/attachments'
/** The PATCH body's content type (the tus protocol's, which this upload flow follows). */
export const UPLOAD_CONTENT_TYPE = 'application/offset+octet-stream'

export interface AttachmentRoutesDeps {
  service: AttachmentService
  tokens: TokenService
}

type Authenticated = { ok: true; user: string } | AttachmentFailure

const BEARER_PATTERN = /^Bearer\s+(\S+)\s*$/i

/** The request's Bearer token checked like the WebSocket's (any device: HTTP requests carry no device id). */
async function authenticate(request: FastifyRequest, tokens: TokenService): Promise<Authenticated> {
  const header = request.headers.authorization
  const token = header ? BEARER_PATTERN.exec(header)?.[1] : undefined
  if (!token) return { ok: false, status: 401, code: 'UNAUTHENTICATED', message: 'Sign in first: send "Authorization: Bearer <access token>".' }
  const check = await tokens.checkBearer(token)
  if (check.ok) return { ok: true, user: check.grant.user }
  switch (check.reason) {
    case 'expired':
      return { ok: false, status: 401, code: 'TOKEN_EXPIRED', message: 'The access token has expired; renew it and try again.' }
    case 'revoked':
      return { ok: false, status: 401, code: 'TOKEN_REVOKED', message: 'This session has ended; sign in again.' }
    default:
      return { ok: false, status: 401, code: 'TOKEN_INVALID', message: 'The access token is not valid; sign in again.' }
  }
}

function sendFailure(reply: FastifyReply, failure: AttachmentFailure): FastifyReply {
  if (failure.offset !== undefined) reply.header('upload-offset', String(failure.offset))
  if (failure.status === 401) reply.header('www-authenticate', 'Bearer')
  // A refused upload body may still be arriving: close the connection rather than read it all.
  if (failure.status === 413) reply.header('connection', 'close')
  return reply.code(failure.status).send({ code: failure.code, message: failure.message })
}

/** A non-negative whole number from a header, or null. */
function headerInteger(value: string | string[] | undefined): number | null {
  if (typeof value !== 'string' || !/^\d{1,16}$/.test(value.trim())) return null
  const number = Number(value.trim())
  return Number.isSafeInteger(number) ? number : null
}

/**
 * One byte range of a `size`-byte file from a Range header: null = answer the whole file (no header, or one this
 * server does not serve: several ranges, another unit, malformed, as RFC 9110 allows), 'unsatisfiable' = 416.
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match || (match[1] === '' && match[2] === '')) return null
  if (match[1] === '') {
    const suffix = Number(match[2])
    if (suffix === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(match[1])
  const end = match[2] === '' ? size - 1 : Number(match[2])
  if (start >= size) return 'unsatisfiable'
  if (end < start) return null
  return { start, end: Math.min(end, size - 1) }
}

/** Content-Disposition with the name: an ASCII fallback and the exact name as RFC 8187 UTF-8. */
function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

interface IdParams {
  id: string
}
interface UploadParams {
  uploadId: string
}

export async function attachmentRoutes(scope: FastifyInstance, deps: AttachmentRoutesDeps): Promise<void> {
  const { service, tokens } = deps

  // PATCH bodies are streamed to disk by the handler (request.raw); never buffered, so no body limit applies here.
  scope.addContentTypeParser(UPLOAD_CONTENT_TYPE, (_request, _payload, done) => done(null))

  scope.post<{ Body: NewUpload | undefined }>('/uploads', async (request, reply) => {
    const auth = await authenticate(request, tokens)
    if (!auth.ok) return sendFailure(reply, auth)
    const body = request.body
    if (typeof body !== 'object' || body === null) return sendFailure(reply, { ok: false, status: 400, code: 'BAD_REQUEST', message: 'Send {name, mime, size, sha256?} as JSON.' })
    const created = await service.createUpload(auth.user, body)
    if (!created.ok) return sendFailure(reply, created)
    return reply
      .code(201)
      .header('location', `${ATTACHMENTS_PREFIX}/uploads/${created.value.uploadId}`)
      .header('upload-offset', '0')
      .send(created.value)
  })

  scope.head<{ Params: UploadParams }>('/uploads/:uploadId', async (request, reply) => {
    const auth = await authenticate(request, tokens)
    if (!auth.ok) return reply.code(auth.status).header('www-authenticate', 'Bearer').send()
    const found = await service.uploadOffset(auth.user, request.params.uploadId)
    if (!found.ok) return reply.code(found.status).send()
    return reply
      .code(200)
      .header('upload-offset', String(found.value.offset))
      .header('upload-length', String(found.value.size))
      .header('cache-control', 'no-store')
      .send()
  })

  scope.patch<{ Params: UploadParams }>(
    '/uploads/:uploadId',
    {
      // Checked before any body parser runs: another content type would otherwise be read as JSON.
      onRequest: async (request, reply) => {
        const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
        if (type !== UPLOAD_CONTENT_TYPE) {
          return sendFailure(reply, { ok: false, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: `Send the bytes as ${UPLOAD_CONTENT_TYPE}.` })
        }
      }
    },
    async (request, reply) => {
      const auth = await authenticate(request, tokens)
      if (!auth.ok) return sendFailure(reply, auth)
      const offset = headerInteger(request.headers['upload-offset'])
      if (offset === null) return sendFailure(reply, { ok: false, status: 400, code: 'BAD_REQUEST', message: 'Upload-Offset must be the byte offset to continue at.' })
      const length = headerInteger(request.headers['content-length'])
      const appended = await service.append(auth.user, request.params.uploadId, offset, request.raw, length)
      if (!appended.ok) return sendFailure(reply, appended)
      return reply.code(204).header('upload-offset', String(appended.value)).send()
    }
  )

  scope.post<{ Params: UploadParams }>('/uploads/:uploadId/complete', async (request, reply) => {
    const auth = await authenticate(request, tokens)
    if (!auth.ok) return sendFailure(reply, auth)
    const completed = await service.complete(auth.user, request.params.uploadId)
    if (!completed.ok) return sendFailure(reply, completed)
    return { attachment: completed.value }
  })

  scope.delete<{ Params: UploadParams }>('/uploads/:uploadId', async (request, reply) => {
    const auth = await authenticate(request, tokens)
    if (!auth.ok) return sendFailure(reply, auth)
    const cancelled = await service.cancel(auth.user, request.params.uploadId)
    if (!cancelled.ok) return sendFailure(reply, cancelled)
    return reply.code(204).send()
  })

  const download = (which: 'file' | 'thumbnail') => async (request: FastifyRequest<{ Params: IdParams; Querystring: { secret?: string } }>, reply: FastifyReply) => {
    const secret = request.query.secret
    let reader: { user: string } | { secret: string }
    if (typeof secret === 'string' && secret !== '') {
      reader = { secret }
    } else {
      const auth = await authenticate(request, tokens)
      if (!auth.ok) return sendFailure(reply, auth)
      reader = { user: auth.user }
    }
    const opened = await service.open(reader, request.params.id, which)
    if (!opened.ok) return sendFailure(reply, opened)
    const { row, path, size, mime } = opened.value
    const etag = which === 'file' ? `"${row.sha256}"` : `"${row.sha256}-thumbnail"`
    reply
      .header('etag', etag)
      .header('accept-ranges', 'bytes')
      .header('content-type', mime)
      .header('x-content-type-options', 'nosniff')
      // Opened straight in a browser, the bytes may never run as a page of this origin.
      .header('content-security-policy', "sandbox; default-src 'none'")
      // An id's bytes never change; only the holder of the request's credentials should keep a copy.
      .header('cache-control', 'private, max-age=31536000, immutable')
      .header('content-disposition', contentDisposition(which === 'file' ? row.name : `${row.name}.thumbnail.webp`))
    if (request.headers['if-none-match'] === etag) return reply.code(304).send()
    const range = parseRange(request.headers.range, size)
    if (range === 'unsatisfiable') {
      return reply
        .code(416)
        .header('content-range', `bytes */${size}`)
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', 'inline')
        .send({ code: 'RANGE_NOT_SATISFIABLE', message: `The file has ${size} bytes.` })
    }
    const start = range?.start ?? 0
    const end = range?.end ?? size - 1
    if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`)
    reply.header('content-length', String(Math.max(0, end - start + 1)))
    if (size === 0) return reply.send('')
    return reply.send(fs.createReadStream(path, { start, end, highWaterMark: DOWNLOAD_READ_CHUNK_BYTES }))
  }

  scope.get<{ Params: IdParams; Querystring: { secret?: string } }>('/:id', { exposeHeadRoute: false }, download('file'))
  scope.get<{ Params: IdParams; Querystring: { secret?: string } }>('/:id/thumbnail', { exposeHeadRoute: false }, download('thumbnail'))
}
