// Owns the HTTP requests of the attachment routes (node:http, streamed both ways): the Bearer token, JSON answers,
// a streamed PATCH body with progress, a ranged GET into a file, and aborting any of them with a signal.
import { createReadStream } from 'node:fs'
import { request as httpRequest, type Agent, type IncomingMessage, type RequestOptions } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { HTTP_IDLE_TIMEOUT_MS, UPLOAD_READ_CHUNK_BYTES } from './config'
import { canceledError, networkError } from './errors'

export interface HttpTarget {
  /** The server's base address (http://127.0.0.1:port). */
  baseUrl: string
  /** The session's current token (each renewal rotates it). */
  token: () => string
  /** The device's network route (its proxy setting); none: Node's default agent. */
  agent?: Agent
}

export interface HttpAnswer {
  status: number
  headers: IncomingMessage['headers']
  body: string
}

function options(target: HttpTarget, method: string, path: string, headers: Record<string, string>): { url: URL; opts: RequestOptions } {
  const url = new URL(path, target.baseUrl)
  return { url, opts: { method, headers: { Authorization: `Bearer ${target.token()}`, ...headers }, ...(target.agent ? { agent: target.agent } : {}) } }
}

function open(url: URL, opts: RequestOptions, signal: AbortSignal | undefined, onResponse: (res: IncomingMessage) => void, fail: (err: unknown) => void) {
  const make = url.protocol === 'https:' ? httpsRequest : httpRequest
  const req = make(url, opts, onResponse)
  req.setTimeout(HTTP_IDLE_TIMEOUT_MS, () => req.destroy(new Error('no answer in time')))
  req.on('error', (err) => fail(signal?.aborted ? canceledError() : networkError(err)))
  const onAbort = (): void => {
    req.destroy()
    fail(canceledError())
  }
  if (signal) {
    if (signal.aborted) queueMicrotask(onAbort)
    else signal.addEventListener('abort', onAbort, { once: true })
    req.on('close', () => signal.removeEventListener('abort', onAbort))
  }
  return req
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    res.on('data', (chunk: Buffer) => chunks.push(chunk))
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    res.on('error', reject)
    res.on('aborted', () => reject(new Error('answer cut off')))
  })
}

/** A request with an optional JSON body; the whole answer read as text. */
export function requestText(target: HttpTarget, method: string, path: string, json?: unknown, extraHeaders: Record<string, string> = {}, signal?: AbortSignal): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const payload = json === undefined ? null : Buffer.from(JSON.stringify(json))
    const headers: Record<string, string> = { ...extraHeaders }
    if (payload) {
      headers['Content-Type'] = 'application/json'
      headers['Content-Length'] = String(payload.length)
    }
    const { url, opts } = options(target, method, path, headers)
    const req = open(
      url,
      opts,
      signal,
      (res) => readBody(res).then((body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }), (err: unknown) => reject(networkError(err))),
      reject
    )
    req.end(payload ?? undefined)
  })
}

/** The `message` of a JSON error answer ({code, message}); '' when there is none. */
export function serverMessageOf(answer: HttpAnswer): string {
  try {
    const parsed = JSON.parse(answer.body) as { message?: unknown }
    return typeof parsed.message === 'string' ? parsed.message : ''
  } catch {
    return ''
  }
}

/**
 * PATCH bytes [start, end) of a file to the upload, streamed; `onBytes` hears every piece written to the socket.
 * Resolves with the answer (the new Upload-Offset in its headers).
 */
export function patchFileRange(
  target: HttpTarget,
  path: string,
  filePath: string,
  start: number,
  end: number,
  onBytes: (n: number) => void,
  signal?: AbortSignal
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const { url, opts } = options(target, 'PATCH', path, {
      'Upload-Offset': String(start),
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': String(end - start)
    })
    const req = open(
      url,
      opts,
      signal,
      (res) => readBody(res).then((body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }), (err: unknown) => reject(networkError(err))),
      reject
    )
    if (end <= start) {
      req.end()
      return
    }
    const file = createReadStream(filePath, { start, end: end - 1, highWaterMark: UPLOAD_READ_CHUNK_BYTES })
    file.on('data', (chunk) => onBytes(chunk.length))
    file.on('error', (err) => {
      req.destroy()
      reject(err)
    })
    req.on('close', () => file.destroy())
    file.pipe(req)
  })
}

/** A GET whose body the caller consumes (a download); the request ends when the answer does or on abort. */
export function openGet(target: HttpTarget, path: string, headers: Record<string, string>, signal?: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const { url, opts } = options(target, 'GET', path, headers)
    const req = open(url, opts, signal, resolve, reject)
    req.end()
  })
}
