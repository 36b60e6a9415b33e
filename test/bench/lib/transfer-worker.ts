// Owns the client side of bench:transfer in its own process (as the app's main process is): streams a file up or
// down over loopback HTTP (raw and Parley downloads use the same code), or uploads it with the app's own Uploader
// (src/main/core/attachments/uploads.ts: create, streamed PATCH, complete), and reports how long each took.
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { Uploader } from '../../../src/main/core/attachments/uploads'
import type { AttachmentsStoreApi } from '../../../src/main/core/store/attachments'
import type { Promised } from '../../../src/main/core/store/domain-apis'

/** The client reads and writes in 1 MiB chunks, like the app's transfer manager. */
const CHUNK_BYTES = 1024 * 1024

export type TransferJob =
  | { kind: 'upload'; url: string; method: 'PUT' | 'POST' | 'PATCH'; headers: Record<string, string>; file: string }
  | { kind: 'download'; url: string; headers: Record<string, string> }
  | { kind: 'json'; url: string; method: 'POST'; headers: Record<string, string>; body: string }
  | { kind: 'app-upload'; baseUrl: string; token: string; file: string; size: number; sha256: string }

export interface TransferReport {
  ms: number
  status: number
  bytes: number
  body: string
}

/**
 * The app's Uploader with the upload's row kept in memory: the outbox's store records the upload id and offsets, which
 * costs the app a few small SQLite writes per upload, not per byte. Only the methods the Uploader calls exist.
 */
function memoryUploadStore(): Promised<AttachmentsStoreApi> {
  const noop = async (): Promise<void> => {}
  // Cast: a bench stand-in for the three methods Uploader.upload calls (setUploadId, setUploadOffset, setUploadDone).
  return { setUploadId: noop, setUploadOffset: noop, setUploadDone: noop } as unknown as Promised<AttachmentsStoreApi>
}

async function appUpload(job: Extract<TransferJob, { kind: 'app-upload' }>): Promise<TransferReport> {
  const uploader = new Uploader({ http: { baseUrl: job.baseUrl, token: () => job.token }, store: memoryUploadStore(), outboxDir: path.dirname(job.file) })
  const started = performance.now()
  const done = await uploader.upload(
    {
      messageId: 'bench',
      which: 'file',
      stagedPath: path.basename(job.file),
      name: 'payload.bin',
      mime: 'application/octet-stream',
      size: job.size,
      sha256: job.sha256,
      uploadId: null,
      offset: 0,
      state: 'pending',
      result: null,
      error: null
    },
    () => {},
    new AbortController().signal
  )
  return { ms: performance.now() - started, status: 200, bytes: done.size, body: JSON.stringify(done) }
}

function run(job: TransferJob): Promise<TransferReport> {
  if (job.kind === 'app-upload') return appUpload(job)
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const method = job.kind === 'download' ? 'GET' : job.method
    const req = http.request(job.url, { method, headers: job.headers, agent: false }, (res) => {
      let bytes = 0
      const text: Buffer[] = []
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length
        if (job.kind !== 'download') text.push(chunk)
      })
      res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0, bytes, body: Buffer.concat(text).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    if (job.kind === 'upload') fs.createReadStream(job.file, { highWaterMark: CHUNK_BYTES }).pipe(req)
    else if (job.kind === 'json') req.end(job.body)
    else req.end()
  })
}

process.on('message', (job: TransferJob) => {
  run(job).then(
    (report) => process.send?.(report),
    (err: unknown) => process.send?.({ ms: -1, status: 0, bytes: 0, body: err instanceof Error ? err.message : String(err) })
  )
})
