// Benchmark: two server nodes on PostgreSQL + Redis against one node on SQLite, in the same run, with the same
// 1,000 clients (real WebSocket clients in load processes). Prints ONE JSON line.
// Closed loop (one message in flight per client, stored AND delivered): msgsPerSec on the cluster, with the clients
// spread over the nodes so that most pairs sit on different nodes (crossNodeShare), and singleNodeSqliteMsgsPerSec.
// Open loop: BENCH_OPEN_RATE (1,000) msgs/s for BENCH_SEND_FOR_MS, p99 send -> delivered at the recipient, after an
// unmeasured warm-up of BENCH_OPEN_WARM_UP_MS (2,000) at the same rate; stderr gives the tail second by second.
// Needs the engines of the cluster tier: eval "$(bash build/scripts/test-engines.sh start)".
// Env: BENCH_CLIENTS (1000), BENCH_MESSAGES (per client, 50), BENCH_SEND_FOR_MS (20000), BENCH_OPEN_RATE (1000).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { Redis } from 'ioredis'
import type { ClusterNodeInit, ClusterNodeMessage } from './lib/cluster-node'
import type { FanoutClientSpec, FanoutReport } from './lib/fanout-worker'
import { FanoutWorkers, combine, runPhase } from './lib/fanout-workers'
import type { WorkerClient } from './lib/load-worker'
import { runLoad, type LoadSettings } from './lib/load-runner'
import { benchLog, envInt, mapLimited, percentileOf } from './lib/bench-util'
import { createTestDatabase, dropTestDatabase } from '../support/test-database'
import { testEngines } from '../support/engines'

const log = benchLog('cluster')
process.env.PARLEY_LOG ??= 'warn'
// Registration cost is not what this bench measures: a cheaper scrypt keeps set-up of 1,000 users to seconds.
process.env.PARLEY_SCRYPT_LOG2_N ??= '10'

const CLIENTS = envInt('BENCH_CLIENTS', 1000)
const MESSAGES_PER_CLIENT = envInt('BENCH_MESSAGES', 50)
const SEND_FOR_MS = envInt('BENCH_SEND_FOR_MS', 20_000)
const OPEN_RATE = envInt('BENCH_OPEN_RATE', 1000)
/** An unmeasured open loop first, at the same rate, so the measured one starts warm. */
const OPEN_WARM_UP_MS = envInt('BENCH_OPEN_WARM_UP_MS', 2000)
const NODES = 2
const LOAD_WORKERS = 2
const HTTP_CONCURRENCY = 8
const PASSWORD = 'bench-password'
const TEXT = 'On my way, be there in ten minutes. Save me a seat please :)'
/** Of every four pairs, three have their two clients on different nodes. */
const CROSS_NODE_PAIRS_OF_FOUR = 3
const ChatType = { SINGLE: 0 } as const
const NODE_FILE = fileURLToPath(new URL('./lib/cluster-node.ts', import.meta.url))
const LOAD: LoadSettings = { messagesPerClient: MESSAGES_PER_CLIENT, window: 1, text: TEXT, sendForMs: SEND_FOR_MS, settleMs: 10_000 }

interface RunningNode {
  child: ChildProcess
  url: string
}

function startNode(init: ClusterNodeInit): Promise<RunningNode> {
  const child = fork(NODE_FILE, [JSON.stringify(init)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`a node exited before listening (code ${code})`)))
    child.on('message', (message: ClusterNodeMessage) => {
      if (message.type === 'listening') resolve({ child, url: message.url })
    })
  })
}

async function stopNode(node: RunningNode): Promise<void> {
  if (node.child.exitCode !== null) return
  const exited = new Promise<void>((resolve) => node.child.once('exit', () => resolve()))
  node.child.send('close')
  await exited
}

/** Which node client `index` uses: pairs (2k, 2k+1) straddle the nodes, except every fourth pair. */
function nodeOf(index: number): number {
  const pair = Math.floor(index / 2)
  const crossNode = pair % 4 < CROSS_NODE_PAIRS_OF_FOUR
  return crossNode ? index % 2 : pair % 2
}

/** The closed-loop load's slices: pairs stay inside a load process (it counts its own pushes). */
function slicesFor(logins: { user: string; token: string }[], wsUrls: string[]): WorkerClient[][] {
  const perWorker = Math.ceil(logins.length / LOAD_WORKERS / 2) * 2
  const slices: WorkerClient[][] = []
  for (let w = 0; w < LOAD_WORKERS; w++) {
    const start = w * perWorker
    slices.push(
      logins.slice(start, start + perWorker).map((login, offset) => {
        const index = start + offset
        const peer = logins[index % 2 === 0 ? index + 1 : index - 1] ?? login
        return { user: login.user, token: login.token, peer: peer.user, wsUrl: wsUrls[nodeOf(index)] as string }
      })
    )
  }
  return slices.filter((slice) => slice.length > 0)
}

async function registerAll(baseUrl: string, prefix: string): Promise<{ user: string; token: string }[]> {
  const { registerAndLogin } = await import('./lib/frame-client')
  const names = Array.from({ length: CLIENTS }, (_, i) => `${prefix}${i}`)
  return mapLimited(names, HTTP_CONCURRENCY, (name) => registerAndLogin(baseUrl, name, PASSWORD))
}

async function singleNodeSqlite(): Promise<number> {
  const { wsUrl } = await import('./lib/frame-client')
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'))
  const node = await startNode({ dataDir })
  try {
    log(`single node (SQLite) at ${node.url}: registering ${CLIENTS} users`)
    const logins = await registerAll(node.url, 'solo')
    const run = await runLoad(wsUrl(node.url), slicesFor(logins, [wsUrl(node.url), wsUrl(node.url)]), LOAD)
    log(`single node: acked ${run.acked}, pushed ${run.pushed}, errors ${run.errors}, ${Math.round(run.elapsedMs)} ms`)
    return Math.round(Math.min(run.acked, run.pushed) / (run.elapsedMs / 1000))
  } finally {
    await stopNode(node)
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

/** The open loop's tail second by second (messages are numbered in send order, OPEN_RATE a second): a tail from one
 * burst (a checkpoint, an autovacuum) reads differently from one spread over the run. */
function secondBySecond(arrivals: [string, number][]): string {
  const seconds: number[][] = []
  for (const [index, latency] of arrivals) (seconds[Math.floor(Number(index) / OPEN_RATE)] ??= []).push(latency)
  return seconds.map((latencies) => `${percentileOf(latencies, 99)}/${Math.round(Math.max(...latencies))}`).join(' ')
}

async function pgCommits(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ commits: string }>('SELECT xact_commit AS commits FROM pg_stat_database WHERE datname = current_database()')
  return Number(rows[0]?.commits ?? 0)
}

async function busPublishes(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats')
  return Number(/cmdstat_publish:calls=(\d+)/.exec(stats)?.[1] ?? 0)
}

async function main(): Promise<void> {
  const engines = testEngines()
  if (!engines) throw new Error('bench:cluster needs PostgreSQL and Redis: eval "$(bash build/scripts/test-engines.sh start)" first.')
  const { wsUrl } = await import('./lib/frame-client')

  const singleNodeSqliteMsgsPerSec = await singleNodeSqlite()

  const databaseUrl = await createTestDatabase()
  const dataDirs = Array.from({ length: NODES }, () => fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-node-')))
  const nodes: RunningNode[] = []
  const database = new pg.Client({ connectionString: databaseUrl })
  const redis = new Redis(engines.redisUrl)
  try {
    // One node first: it migrates the schema; the second then finds it done.
    nodes.push(await startNode({ dataDir: dataDirs[0] as string, databaseUrl, redisUrl: engines.redisUrl }))
    nodes.push(await startNode({ dataDir: dataDirs[1] as string, databaseUrl, redisUrl: engines.redisUrl }))
    const wsUrls = nodes.map((node) => wsUrl(node.url))
    await database.connect()
    const settings = await database.query<{ fsync: string; synchronous_commit: string }>(
      "SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit"
    )
    log(`cluster: ${nodes.map((node) => node.url).join(', ')}; registering ${CLIENTS} users`)
    const logins = await registerAll((nodes[0] as RunningNode).url, 'node')
    const slices = slicesFor(logins, wsUrls)
    const pairs = logins.length / 2
    const crossPairs = Array.from({ length: pairs }, (_, k) => nodeOf(2 * k) !== nodeOf(2 * k + 1)).filter(Boolean).length

    const commitsBefore = await pgCommits(database)
    const publishesBefore = await busPublishes(redis)
    log(`closed loop from ${new Date().toISOString()}`)
    const closed = await runLoad(wsUrls[0] as string, slices, LOAD)
    const seconds = closed.elapsedMs / 1000
    const pgCommitsPerSec = Math.round(((await pgCommits(database)) - commitsBefore) / seconds)
    const busPublishesPerSec = Math.round(((await busPublishes(redis)) - publishesBefore) / seconds)
    log(`cluster closed loop: acked ${closed.acked}, pushed ${closed.pushed}, errors ${closed.errors} (${closed.firstError ?? 'none'}), ${Math.round(closed.elapsedMs)} ms`)

    // Open loop: the senders in one load process, the recipients in the other (so the recipients time every message).
    const workers = new FanoutWorkers(LOAD_WORKERS)
    try {
      const senders: FanoutClientSpec[][] = [[], []]
      const receivers: FanoutClientSpec[][] = [[], []]
      logins.forEach((login, index) => (index % 2 === 0 ? senders : receivers)[nodeOf(index)]?.push(login))
      const connect = async (worker: number, groups: FanoutClientSpec[][]): Promise<FanoutClientSpec[]> => {
        for (const [node, clients] of groups.entries()) await workers.call(worker, { type: 'connect', wsUrl: wsUrls[node] as string, clients })
        return groups.flat()
      }
      const senderOrder = await connect(0, senders)
      await connect(1, receivers)
      const peerOf = new Map(logins.map((login, index) => [login.user, logins[index % 2 === 0 ? index + 1 : index - 1]?.user ?? login.user]))
      const from = senderOrder.map((_, index) => index)
      const to = senderOrder.map((sender) => peerOf.get(sender.user) as string)
      const openLoop = (durationMs: number): Promise<FanoutReport[]> =>
        runPhase(workers, 'single', [
          { worker: 0, send: { type: 'send', from, to, chatType: ChatType.SINGLE, rate: OPEN_RATE, durationMs, textBytes: 80 } }
        ])
      // The load processes and their 1,000 connections are new: their first sends and deliveries run cold code.
      const warmUp = combine(await openLoop(OPEN_WARM_UP_MS))
      log(`open loop warm-up (not counted): ${warmUp.deliveries} delivered, p99 ${percentileOf(warmUp.toAllMs, 99)} ms`)
      log(`open loop from ${new Date().toISOString()}`)
      const openReports = await openLoop(SEND_FOR_MS)
      const open = combine(openReports)
      log(`cluster open loop: sent ${open.sent}, acked ${open.acked}, delivered ${open.deliveries}, errors ${open.errors}`)
      log(`open loop by second sent, p99/max ms: ${secondBySecond(openReports.flatMap((report) => Object.entries(report.lastArrivalMs)))}`)
      const result = {
        nodes: NODES,
        clients: CLIENTS,
        msgsPerSec: Math.round(Math.min(closed.acked, closed.pushed) / seconds),
        singleNodeSqliteMsgsPerSec,
        ofSingleNode: 0,
        openLoopP99Ms: percentileOf(open.toAllMs, 99),
        openLoopDelivered: open.deliveries,
        openLoopSent: open.sent,
        crossNodeShare: Number((crossPairs / pairs).toFixed(2)),
        pgSynchronousCommit: settings.rows[0]?.synchronous_commit ?? null,
        pgFsync: settings.rows[0]?.fsync ?? null,
        pgCommitsPerSec,
        busPublishesPerSec
      }
      result.ofSingleNode = Number((result.msgsPerSec / singleNodeSqliteMsgsPerSec).toFixed(2))
      console.log(JSON.stringify(result))
    } finally {
      await workers.all({ type: 'close' }).catch(() => [])
      workers.kill()
    }
  } finally {
    await Promise.all(nodes.map(stopNode))
    await database.end().catch(() => {})
    redis.disconnect()
    await dropTestDatabase(databaseUrl).catch(() => {})
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('bench:cluster failed:', err)
    process.exit(1)
  }
)
