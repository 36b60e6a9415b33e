// Owns the client side of bench:transfer in its own process (as the app's main process is): streams a file up or
// down over loopback HTTP and reports how long each transfer took. Raw and Parley transfers use the same code paths.
import fs from 'node:fs'
import http from 'node:http'
import { performance } from 'node:perf_hooks'

/** The client reads and writes in 1 MiB chunks, like the app's transfer manager. */
const CHUNK_BYTES = 1024 * 1024

export type TransferJob =
  | { kind: 'upload'; url: string; method: 'PUT' | 'PATCH'; headers: Record<string, string>; file: string }
  | { kind: 'download'; url: string; headers: Record<string, string> }
  | { kind: 'json'; url: string; method: 'POST'; headers: Record<string, string>; body: string }

export interface TransferReport {
  ms: number
  status: number
  bytes: number
  body: string
}

function run(job: TransferJob): Promise<TransferReport> {
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
