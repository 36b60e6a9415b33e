// Owns one file's download into the cache folder: a partial file that grows across drops (each attempt resumes by
// Range from what arrived, If-Range on the ETag so changed bytes start over), its SHA-256 checked at the end.
import { createHash, type Hash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { rm, stat, truncate } from 'node:fs/promises'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createLogger } from '../../../shared/logger'
import { DOWNLOAD_ATTEMPTS, DOWNLOAD_RETRY_BASE_MS } from './config'
import { CHECKSUM_SENTENCE, TransferError, httpError, isPermanentTransferError, networkError } from './errors'
import { openGet, type HttpTarget } from './http'

const log = createLogger('core:downloads')

const SHA256_HEX = /^[0-9a-f]{64}$/

export interface DownloadSpec {
  /** The route: /attachments/<id> or /attachments/<id>/thumbnail. */
  path: string
  /** Where the bytes go while they arrive (kept across drops and restarts for resuming). */
  partPath: string
  /** The SHA-256 the bytes must have; null: the answer's ETag when it is one (thumbnails). */
  expectedSha256: string | null
}

export interface DownloadedFile {
  size: number
  mime: string
  sha256: string
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch {
    return 0
  }
}

async function hashFile(path: string, hash: Hash): Promise<void> {
  await pipeline(createReadStream(path), new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      callback()
    }
  }))
}

function header(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? ''
}

function etagOf(value: string | string[] | undefined): string | null {
  const tag = header(value).replace(/^W\//, '').replace(/"/g, '').toLowerCase()
  return SHA256_HEX.test(tag) ? tag : null
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * Downloads `spec` into its partial file, resuming after drops, and checks the SHA-256. `progress` hears
 * (bytes on disk, total). Throws TransferError: CHECKSUM_MISMATCH (the partial file is deleted), FORBIDDEN,
 * NOT_FOUND, CANCELED, or the last drop after DOWNLOAD_ATTEMPTS attempts.
 */
export async function downloadResumable(
  http: HttpTarget,
  spec: DownloadSpec,
  progress: (transferred: number, total: number) => void,
  signal: AbortSignal,
  retryBaseMs = DOWNLOAD_RETRY_BASE_MS
): Promise<DownloadedFile> {
  let hash = createHash('sha256')
  let hashed = 0
  let etag: string | null = null
  let total = 0
  let mime = 'application/octet-stream'
  let lastError: unknown = null
  for (let attempt = 0; attempt < DOWNLOAD_ATTEMPTS; attempt++) {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new TransferError('CANCELED', 'Canceled.', true)
    if (attempt > 0) await sleep(retryBaseMs * 2 ** (attempt - 1), signal)
    let have = await sizeOf(spec.partPath)
    if (have !== hashed) {
      // A partial file from an earlier run (or a restart of this one): its bytes go into the hash first.
      hash = createHash('sha256')
      if (have > 0) await hashFile(spec.partPath, hash)
      hashed = have
    }
    const headers: Record<string, string> = {}
    if (have > 0) {
      headers.Range = `bytes=${have}-`
      const knownTag = etag ?? spec.expectedSha256
      if (knownTag) headers['If-Range'] = `"${knownTag}"`
    }
    try {
      const res = await openGet(http, spec.path, headers, signal)
      const status = res.statusCode ?? 0
      if (status === 416) {
        res.resume()
        await truncate(spec.partPath, 0)
        hash = createHash('sha256')
        hashed = 0
        continue
      }
      if (status !== 200 && status !== 206) {
        res.resume()
        throw httpError(status, '', 'download')
      }
      etag = etagOf(res.headers.etag) ?? etag
      mime = header(res.headers['content-type']) || mime
      if (status === 206) {
        const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header(res.headers['content-range']))
        if (!range || Number(range[1]) !== have) {
          res.resume()
          throw new TransferError('SERVER_ERROR', 'The server answered a different part of the file than asked.', false)
        }
        total = Number(range[3])
      } else {
        // A whole answer (no Range, or the bytes changed): start the file over.
        if (have > 0) await truncate(spec.partPath, 0)
        have = 0
        hash = createHash('sha256')
        hashed = 0
        total = Number(header(res.headers['content-length'])) || 0
      }
      progress(have, total)
      let written = have
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk)
          written += chunk.length
          hashed = written
          progress(written, total)
          callback(null, chunk)
        }
      })
      try {
        await pipeline(res, counter, createWriteStream(spec.partPath, { flags: 'a' }), { signal })
      } catch (err) {
        if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : err
        throw networkError(err)
      }
      // The written bytes are in the hash only once they are on disk (the pipeline finished).
      hashed = await sizeOf(spec.partPath)
      if (hashed !== written) {
        // Should not happen; make the next attempt re-read what is on disk.
        hashed = -1
        continue
      }
      if (total > 0 && written < total) throw networkError(new Error('the answer ended early'))
      const sha256 = hash.digest('hex')
      const expected = spec.expectedSha256 ?? etag
      if (expected && expected.toLowerCase() !== sha256) {
        await rm(spec.partPath, { force: true })
        throw new TransferError('CHECKSUM_MISMATCH', CHECKSUM_SENTENCE, true)
      }
      return { size: written, mime, sha256 }
    } catch (err) {
      if (isPermanentTransferError(err) || signal.aborted) throw err
      lastError = err
      log.info('download interrupted; resuming', { path: spec.path, attempt: attempt + 1, error: String(err) })
    }
  }
  throw lastError instanceof TransferError ? lastError : networkError(lastError)
}
