// Benchmark: attachment upload and download throughput of the real server over loopback (a 100 MB file uploaded by the
// app's own Uploader: create, one streamed PATCH, complete with its sha256 check; then a GET of the stored bytes), next
// to a bare node http server moving the same bytes in the same run, rounds alternating. Prints ONE JSON line
// {uploadMBps, downloadMBps, rawMBps, sizeMB, rawPutToDiskMBps}. The client is a separate process
// (lib/transfer-worker.ts), as the app's main process is. Env: BENCH_TRANSFER_MB (default 100), BENCH_TRANSFER_ROUNDS
// (default 3: each figure is the best of that many, the machine being shared; every round is logged on stderr).
// What "raw" is (same bytes, same node http stack, same client code, same 1 MiB reads):
//  * rawMBps (the baseline) = the slower of the bare server's PUT, which READS THE BYTES AND DROPS THEM (no
//    disk, no hash), and its GET, which streams the file from the page cache exactly as the attachment route does.
//    The download is like for like; the upload is not: Parley must also write the bytes, fsync them before it answers
//    (the Upload-Offset contract) and sha256 them.
//  * rawPutToDiskMBps = the bare server's PUT writing the bytes to a file and fsyncing it once before answering: the
//    floor of any durable upload on this disk, without a hash or any bookkeeping.
// stderr also gives the server process's CPU time per transfer (all its threads: event loop, libuv pool, hashing
// worker), which a busy machine distorts far less than wall time.
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

/** A bare node http server: PUT reads the body and drops it, POST writes it to `sink` and fsyncs, GET streams `file`. */
function startRawServer(file: string, size: number, sink: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method === 'PUT') {
      req.on('data', () => {})
      req.on('end', () => res.writeHead(204).end())
      return
    }
    if (req.method === 'POST') {
      const out = fs.createWriteStream(sink, { highWaterMark: RAW_READ_CHUNK_BYTES })
      req.pipe(out).on('finish', () => {
        const fd = fs.openSync(sink, 'r+')
        fs.fsync(fd, () => {
          fs.closeSync(fd)
          res.writeHead(204).end()
        })
      })
      return
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) })
    fs.createReadStream(file, { highWaterMark: RAW_READ_CHUNK_BYTES }).pipe(res)
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

/** Server-process CPU ms spent during each transfer (all threads), by name, for the stderr log. */
const cpuSpent = new Map<string, number[]>()

function transfer(worker: ChildProcess, job: TransferJob, cpuLabel?: string): Promise<TransferReport> {
  const cpuBefore = process.cpuUsage()
  return new Promise((resolve, reject) => {
    worker.once('message', (report: TransferReport) => {
      if (cpuLabel) {
        const used = process.cpuUsage(cpuBefore)
        cpuSpent.set(cpuLabel, [...(cpuSpent.get(cpuLabel) ?? []), Math.round((used.user + used.system) / 1000)])
      }
      if (report.ms < 0) reject(new Error(report.body))
      else resolve(report)
    })
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
  const raw = await startRawServer(file, size, path.join(dir, 'raw-sink.bin'))
  const rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/payload`
  const worker = fork(WORKER_FILE, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  try {
    const account = await registerAndLogin(server.url, 'bench-transfer')
    const auth = { authorization: `Bearer ${account.token}` }
    const best = { rawUp: Infinity, rawDisk: Infinity, rawDown: Infinity, up: Infinity, down: Infinity }
    const rawUpload = { kind: 'upload', url: rawUrl, headers: { 'content-length': String(size) }, file } as const
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternating within the round (raw, Parley, raw, Parley): a burst of load on the shared machine hits both sides.
      const rawUp = await transfer(worker, { ...rawUpload, method: 'PUT' }, 'raw PUT (dropped)')
      // Upload = the app's Uploader: create + one streamed PATCH + complete (hash check, mime sniff).
      const up = await transfer(worker, { kind: 'app-upload', baseUrl: server.url, token: account.token, file, size, sha256 }, 'parley upload')
      const attachment = JSON.parse(up.body) as { id: string; sha256: string }
      if (attachment.sha256 !== sha256) throw new Error('the stored sha256 differs from the file')
      const rawDisk = await transfer(worker, { ...rawUpload, method: 'POST' }, 'raw PUT to disk + fsync')
      const rawDown = await transfer(worker, { kind: 'download', url: rawUrl, headers: {} }, 'raw GET')
      if (rawDown.bytes !== size) throw new Error(`raw download got ${rawDown.bytes} bytes`)
      const down = await transfer(worker, { kind: 'download', url: `${server.url}/attachments/${attachment.id}`, headers: auth }, 'parley GET')
      if (down.bytes !== size) throw new Error(`download got ${down.bytes} bytes`)

      log(
        `round ${round}: raw up ${megabytesPerSecond(size, rawUp.ms)} (to disk ${megabytesPerSecond(size, rawDisk.ms)}) down ` +
          `${megabytesPerSecond(size, rawDown.ms)} MB/s; parley up ${megabytesPerSecond(size, up.ms)} down ${megabytesPerSecond(size, down.ms)} MB/s`
      )
      best.rawUp = Math.min(best.rawUp, rawUp.ms)
      best.rawDisk = Math.min(best.rawDisk, rawDisk.ms)
      best.rawDown = Math.min(best.rawDown, rawDown.ms)
      best.up = Math.min(best.up, up.ms)
      best.down = Math.min(best.down, down.ms)
    }
    const result = {
      uploadMBps: megabytesPerSecond(size, best.up),
      downloadMBps: megabytesPerSecond(size, best.down),
      rawMBps: Math.min(megabytesPerSecond(size, best.rawUp), megabytesPerSecond(size, best.rawDown)),
      sizeMB: SIZE_MB,
      rawPutToDiskMBps: megabytesPerSecond(size, best.rawDisk)
    }
    log(`best: raw PUT ${megabytesPerSecond(size, best.rawUp)} MB/s, raw PUT to disk ${result.rawPutToDiskMBps} MB/s, raw GET ${megabytesPerSecond(size, best.rawDown)} MB/s`)
    for (const [label, values] of cpuSpent) log(`server CPU ms per ${SIZE_MB} MB, ${label}: ${values.join(', ')}`)
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
