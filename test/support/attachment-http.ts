// Owns the raw HTTP side of attachments for tests and benchmarks: create an upload, PATCH bytes (whole, or cut off
// half way by destroying the socket), HEAD the offset, complete, download with or without a Range. No client code.
import crypto from 'node:crypto'
import http from 'node:http'

export interface HttpAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** The answer's body as JSON (an empty object when it is not JSON). */
export function json(answer: HttpAnswer): Record<string, unknown> {
  try {
    return JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>
  } catch {
    return {}
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex')
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` }
}

/** One HTTP request to the server; `body` is written whole (or streamed from an iterable of chunks). */
export function request(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Uint8Array | string
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(baseUrl + path, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

export function postJson(baseUrl: string, path: string, token: string | null, body: unknown): Promise<HttpAnswer> {
  return request(baseUrl, 'POST', path, { 'content-type': 'application/json', ...(token ? bearer(token) : {}) }, JSON.stringify(body))
}

export interface AttachmentJson {
  id: string
  name: string
  mime: string
  size: number
  sha256: string
  secret: string
  hasThumbnail: boolean
  width: number
  height: number
}

export async function createUpload(baseUrl: string, token: string, bytes: Uint8Array, name: string, mime: string, withHash = true): Promise<string> {
  const answer = await postJson(baseUrl, '/attachments/uploads', token, { name, mime, size: bytes.length, ...(withHash ? { sha256: sha256Hex(bytes) } : {}) })
  if (answer.status !== 201) throw new Error(`create upload: ${answer.status} ${answer.body.toString()}`)
  return String(json(answer).uploadId)
}

export function patchBytes(baseUrl: string, token: string, uploadId: string, offset: number, bytes: Uint8Array): Promise<HttpAnswer> {
  return request(
    baseUrl,
    'PATCH',
    `/attachments/uploads/${uploadId}`,
    { ...bearer(token), 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset), 'content-length': String(bytes.length) },
    bytes
  )
}

/**
 * Starts a PATCH announcing all of `bytes`, writes only the first `sendBytes`, waits until the server has taken them,
 * then destroys the socket: a connection dropped mid-transfer.
 */
export async function patchThenDrop(baseUrl: string, token: string, uploadId: string, bytes: Uint8Array, sendBytes: number): Promise<void> {
  const req = http.request(baseUrl + `/attachments/uploads/${uploadId}`, {
    method: 'PATCH',
    agent: false,
    headers: { ...bearer(token), 'content-type': 'application/offset+octet-stream', 'upload-offset': '0', 'content-length': String(bytes.length) }
  })
  req.on('error', () => {
    /* the drop is the point */
  })
  await new Promise<void>((resolve) => req.write(bytes.subarray(0, sendBytes), () => resolve()))
  // Written to the socket is not yet read by the server: give it a moment to take the bytes in.
  await new Promise((resolve) => setTimeout(resolve, 200))
  req.destroy()
}

export async function headOffset(baseUrl: string, token: string, uploadId: string): Promise<number> {
  const answer = await request(baseUrl, 'HEAD', `/attachments/uploads/${uploadId}`, bearer(token))
  if (answer.status !== 200) throw new Error(`HEAD upload: ${answer.status}`)
  return Number(answer.headers['upload-offset'])
}

export async function completeUpload(baseUrl: string, token: string, uploadId: string): Promise<HttpAnswer> {
  return request(baseUrl, 'POST', `/attachments/uploads/${uploadId}/complete`, bearer(token))
}

/** Create, one PATCH, complete: the attachment as the server answers it. */
export async function upload(baseUrl: string, token: string, bytes: Uint8Array, name = 'file.bin', mime = 'application/octet-stream'): Promise<AttachmentJson> {
  const uploadId = await createUpload(baseUrl, token, bytes, name, mime)
  const patched = await patchBytes(baseUrl, token, uploadId, 0, bytes)
  if (patched.status !== 204) throw new Error(`PATCH: ${patched.status} ${patched.body.toString()}`)
  const done = await completeUpload(baseUrl, token, uploadId)
  if (done.status !== 200) throw new Error(`complete: ${done.status} ${done.body.toString()}`)
  return json(done).attachment as AttachmentJson
}

export function download(baseUrl: string, id: string, auth: { token?: string; secret?: string } = {}, headers: Record<string, string> = {}, which: 'file' | 'thumbnail' = 'file'): Promise<HttpAnswer> {
  const path = `/attachments/${id}${which === 'thumbnail' ? '/thumbnail' : ''}${auth.secret !== undefined ? `?secret=${encodeURIComponent(auth.secret)}` : ''}`
  return request(baseUrl, 'GET', path, { ...(auth.token ? bearer(auth.token) : {}), ...headers })
}
