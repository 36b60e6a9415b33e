// Benchmark: end-to-end message throughput and send->ack latency of the real server (stored AND delivered),
// next to a bare ws relay with the same clients and message sizes. Prints ONE JSON object on stdout.
// Env: BENCH_CLIENTS (default 1000), BENCH_MESSAGES (per client, default 50), BENCH_WINDOW (in flight per client,
// default 1), BENCH_WORKERS (load-generator processes, default 2), BENCH_SEND_FOR_MS (default 20000).
// The JSON carries the writer connection's `synchronous` mode (FULL unless PARLEY_SQLITE_SYNCHRONOUS=NORMAL), the
// median commit (fsync) time and how many messages each commit carried.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { WorkerClient } from './lib/load-worker'
import { percentile, runLoad as runLoadWith, type RunResult } from './lib/load-runner'
import { benchLog, envInt, mapLimited } from './lib/bench-util'

const log = benchLog('server')
process.env.PARLEY_LOG ??= 'warn'
// Registration cost is not what this bench measures: a cheaper scrypt keeps set-up of 1,000 users to seconds.
process.env.PARLEY_SCRYPT_LOG2_N ??= '10'

const CLIENTS = envInt('BENCH_CLIENTS', 1000)
const MESSAGES_PER_CLIENT = envInt('BENCH_MESSAGES', 50)
const WINDOW = envInt('BENCH_WINDOW', 1)
const WORKERS = envInt('BENCH_WORKERS', 2)
const SEND_FOR_MS = envInt('BENCH_SEND_FOR_MS', 20_000)
/** After sending stops, how long workers wait for the last acks and pushes. */
const SETTLE_MS = 10_000
/** Parallel HTTP calls while registering users (scrypt runs on the server's thread pool). */
const HTTP_CONCURRENCY = 8
/** A realistic chat line (60 characters), the same for both runs. */
const TEXT = 'On my way, be there in ten minutes. Save me a seat please :)'
const PASSWORD = 'bench-password'

/** Pairs clients inside each worker's slice (0<->1, 2<->3, ...) so every sender's peer lives in the same worker. */
function assignPeers(users: { user: string; token: string }[]): WorkerClient[][] {
  const perWorker = Math.ceil(users.length / WORKERS)
  const slices: WorkerClient[][] = []
  for (let w = 0; w < WORKERS; w++) {
    const slice = users.slice(w * perWorker, (w + 1) * perWorker)
    slices.push(
      slice.map((entry, i) => {
        const peerIndex = i % 2 === 0 ? i + 1 : i - 1
        const peer = slice[peerIndex] ?? slice[0] ?? entry
        return { user: entry.user, token: entry.token, peer: peer.user }
      })
    )
  }
  return slices.filter((slice) => slice.length > 0)
}

function runLoad(wsUrl: string, slices: WorkerClient[][]): Promise<RunResult> {
  return runLoadWith(wsUrl, slices, { messagesPerClient: MESSAGES_PER_CLIENT, window: WINDOW, text: TEXT, sendForMs: SEND_FOR_MS, settleMs: SETTLE_MS })
}

function summary(run: RunResult): string {
  const { latencies, ...counts } = run
  return JSON.stringify({ ...counts, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) })
}

async function main(): Promise<void> {
  const { startServer } = await import('../../src/server/index')
  const { startRawRelay } = await import('./lib/raw-relay')
  const { registerAndLogin, wsUrl } = await import('./lib/frame-client')

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'))
  try {
    // 1,000 registrations and logins from one address would meet the per-address sign-in limit; this bench
    // measures messaging, so that limit is lifted here (the per-account one stays).
    const server = await startServer({ host: '127.0.0.1', port: 0, dataDir, attemptLimits: { address: { freeAttempts: Infinity } } })
    log(`server at ${server.url}; registering ${CLIENTS} users`)
    const names = Array.from({ length: CLIENTS }, (_, i) => `bench${i}`)
    const logins = await mapLimited(names, HTTP_CONCURRENCY, (name) => registerAndLogin(server.url, name, PASSWORD))
    log(`connecting ${CLIENTS} sockets in ${WORKERS} workers`)
    const parley = await runLoad(wsUrl(server.url), assignPeers(logins))
    log(`parley: ${summary(parley)}`)
    // Read back from the writer connection itself (in the store's worker), not from the configuration.
    const storeStats = await server.storeStats()
    await server.close()

    const relay = await startRawRelay()
    const raw = await runLoad(relay.wsUrl, assignPeers(names.map((user) => ({ user, token: user }))))
    log(`relay: ${summary(raw)}`)
    await relay.close()

    const delivered = Math.min(parley.acked, parley.pushed)
    const result = {
      clients: CLIENTS,
      msgsPerSec: Math.round(delivered / (parley.elapsedMs / 1000)),
      p50Ms: Number(percentile(parley.latencies, 50).toFixed(2)),
      p99Ms: Number(percentile(parley.latencies, 99).toFixed(2)),
      rawRelayMsgsPerSec: Math.round(Math.min(raw.acked, raw.pushed) / (raw.elapsedMs / 1000)),
      /** Share of the raw relay's throughput in this same run (the target is at least 0.5). */
      ofRawRelay: 0,
      synchronous: storeStats.synchronous,
      fsyncP50Ms: storeStats.fsyncP50Ms,
      commitP99Ms: storeStats.commitP99Ms,
      commitMaxMs: storeStats.commitMaxMs,
      messagesPerCommit: storeStats.messagesPerCommit,
      commits: storeStats.commits
    }
    result.ofRawRelay = Number((result.msgsPerSec / result.rawRelayMsgsPerSec).toFixed(2))
    console.log(JSON.stringify(result))
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('bench:server failed:', err)
    process.exit(1)
  }
)
