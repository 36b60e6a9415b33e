// Benchmark: attachment upload and download throughput of the real server over loopback (a 100 MB file: create,
// streamed PATCH, complete with its sha256 check; then a GET of the stored bytes), next to a bare node http server
// streaming the same bytes in the same run. Prints ONE JSON line {uploadMBps, downloadMBps, rawMBps, sizeMB}.
// The client is a separate process (lib/transfer-worker.ts), as the app's main process is. Env: BENCH_TRANSFER_MB
// (default 100), BENCH_TRANSFER_ROUNDS (default 3: each figure is the best of that many, the machine being shared).
// rawMBps is the slower direction of the bare server: PUT (bytes read and dropped) and GET (the file streamed).
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { benchLog, envInt } from './lib/bench-util'
import type { TransferJob, TransferReport } from './lib/transfer-worker'

const log = benchLog('transfer')
process.env.PARLEY_LOG ??= 'warn'

const SIZE_MB = envInt('BENCH_TRANSFER_MB', 100)
const ROUNDS = envInt('BENCH_TRANSFER_ROUNDS', 3)
const MIB = 1024 * 1024
/** The bare server reads files in the same chunk size as the attachment routes. */
const RAW_READ_CHUNK_BYTES = MIB
const WORKER_FILE = fileURLToPath(new URL('./lib/transfer-worker.ts', import.meta.url))

function megabytesPerSecond(bytes: number, ms: number): number {
  return Number((bytes / MIB / (ms / 1000)).toFixed(1))
}

/** A bare node http server: PUT reads the body and drops it, GET streams `file`. */
function startRawServer(file: string, size: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method === 'PUT') {
      req.on('data', () => {})
      req.on('end', () => res.writeHead(204).end())
      return
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) })
    fs.createReadStream(file, { highWaterMark: RAW_READ_CHUNK_BYTES }).pipe(res)
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

function transfer(worker: ChildProcess, job: TransferJob): Promise<TransferReport> {
  return new Promise((resolve, reject) => {
    worker.once('message', (report: TransferReport) => (report.ms < 0 ? reject(new Error(report.body)) : resolve(report)))
    worker.send(job)
  })
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-transfer-'))
  const file = path.join(dir, 'payload.bin')
  const size = SIZE_MB * MIB
  log(`writing a ${SIZE_MB} MB file`)
  const hash = crypto.createHash('sha256')
  const out = fs.openSync(file, 'w')
  for (let written = 0; written < size; written += MIB) {
    const chunk = crypto.randomBytes(Math.min(MIB, size - written))
    hash.update(chunk)
    fs.writeSync(out, chunk)
  }
  fs.closeSync(out)
  const sha256 = hash.digest('hex')

  // Imported after PARLEY_LOG is set: loggers read it when their module loads, and stdout carries only the JSON.
  const { startServer } = await import('../../src/server/index')
  const { registerAndLogin } = await import('./lib/frame-client')
  const server = await startServer({ host: '127.0.0.1', port: 0, dataDir: path.join(dir, 'server'), maxUploadMb: SIZE_MB })
  const raw = await startRawServer(file, size)
  const rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/payload`
  const worker = fork(WORKER_FILE, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  try {
    const account = await registerAndLogin(server.url, 'bench-transfer')
    const auth = { authorization: `Bearer ${account.token}` }
    const best = { rawUp: Infinity, rawDown: Infinity, up: Infinity, down: Infinity }
    for (let round = 1; round <= ROUNDS; round++) {
      const rawUp = await transfer(worker, { kind: 'upload', url: rawUrl, method: 'PUT', headers: { 'content-length': String(size) }, file })
      const rawDown = await transfer(worker, { kind: 'download', url: rawUrl, headers: {} })
      if (rawDown.bytes !== size) throw new Error(`raw download got ${rawDown.bytes} bytes`)

      // Upload = create + streamed PATCH + complete (hash check, mime sniff): what a client waits for.
      const create = await transfer(worker, {
        kind: 'json',
        url: `${server.url}/attachments/uploads`,
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'payload.bin', mime: 'application/octet-stream', size, sha256 })
      })
      const uploadId = String((JSON.parse(create.body) as { uploadId: string }).uploadId)
      const patch = await transfer(worker, {
        kind: 'upload',
        url: `${server.url}/attachments/uploads/${uploadId}`,
        method: 'PATCH',
        headers: { ...auth, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0', 'content-length': String(size) },
        file
      })
      if (patch.status !== 204) throw new Error(`PATCH answered ${patch.status}: ${patch.body}`)
      const complete = await transfer(worker, { kind: 'json', url: `${server.url}/attachments/uploads/${uploadId}/complete`, method: 'POST', headers: auth, body: '' })
      if (complete.status !== 200) throw new Error(`complete answered ${complete.status}: ${complete.body}`)
      const attachment = (JSON.parse(complete.body) as { attachment: { id: string; sha256: string } }).attachment
      if (attachment.sha256 !== sha256) throw new Error('the stored sha256 differs from the file')
      const down = await transfer(worker, { kind: 'download', url: `${server.url}/attachments/${attachment.id}`, headers: auth })
      if (down.bytes !== size) throw new Error(`download got ${down.bytes} bytes`)

      const up = create.ms + patch.ms + complete.ms
      log(
        `round ${round}: raw up ${megabytesPerSecond(size, rawUp.ms)} down ${megabytesPerSecond(size, rawDown.ms)} MB/s; ` +
          `parley up ${megabytesPerSecond(size, up)} (patch ${patch.ms.toFixed(0)} ms, complete ${complete.ms.toFixed(0)} ms) down ${megabytesPerSecond(size, down.ms)} MB/s`
      )
      best.rawUp = Math.min(best.rawUp, rawUp.ms)
      best.rawDown = Math.min(best.rawDown, rawDown.ms)
      best.up = Math.min(best.up, up)
      best.down = Math.min(best.down, down.ms)
    }
    const result = {
      uploadMBps: megabytesPerSecond(size, best.up),
      downloadMBps: megabytesPerSecond(size, best.down),
      rawMBps: Math.min(megabytesPerSecond(size, best.rawUp), megabytesPerSecond(size, best.rawDown)),
      sizeMB: SIZE_MB
    }
    log(`raw PUT ${megabytesPerSecond(size, best.rawUp)} MB/s, raw GET ${megabytesPerSecond(size, best.rawDown)} MB/s`)
    process.stdout.write(`${JSON.stringify(result)}\n`)
  } finally {
    worker.kill()
    raw.close()
    await server.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
})
