// Cluster operations on real engines: the startup checks' one sentence per problem (PostgreSQL unreachable, wrong
// password, no database, schema too new; Redis unreachable or wrong password), also from the CLI with its exit code;
// /healthz, /readyz, /metrics; the gateway list of the login answer; the drain (readyz 503, new sockets refused,
// clients told to move with CLOSE_MOVE_NOW, the port closed after).
import { spawn, type ChildProcess } from 'node:child_process'
import pg from 'pg'
import WebSocket from 'ws'
import { afterAll, afterEach, expect, it } from 'vitest'
import { startServer, type ServerHandle, type ServerOptions } from '../../src/server'
import { latestPostgresVersion } from '../../src/server/store/postgres/migrate'
import { createReadiness } from '../../src/server/ops/readiness'
import { CloseCode } from '../../src/shared/proto/codec'
import { describeWithEngines } from '../support/engines'
import { createTestDatabase, dropTestDatabase } from '../support/test-database'
import { freePort } from '../support/free-port'
import { makeTempDir, removeDir } from '../support/test-server'
import { FAST_TIMINGS, TEST_PASSWORD, uniqueUser, waitFor } from './helpers/env'
import { ChatClient } from '../../src/main/core/client'
import { loginAccount, registerAccount } from '../../src/main/core/app-server'
import { OwnRedis } from '../support/own-redis'

const CLI = ['--import', 'tsx', 'src/server/cli.ts']
/** The CLI from TypeScript sources starts in a few seconds on 2 shared cores. */
const CLI_EXIT_TIMEOUT_MS = 30_000

const dirs: string[] = []
const databases: string[] = []
const handles: ServerHandle[] = []
const children: ChildProcess[] = []
const redises: OwnRedis[] = []
const clients: ChatClient[] = []

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
  await Promise.all(handles.splice(0).map((handle) => handle.close()))
  for (const child of children.splice(0)) child.kill('SIGKILL')
  await Promise.all(redises.splice(0).map((redis) => redis.kill()))
})
afterAll(async () => {
  for (const dir of dirs) removeDir(dir)
  for (const url of databases) await dropTestDatabase(url)
})

function tempDir(): string {
  const dir = makeTempDir()
  dirs.push(dir)
  return dir
}

async function start(options: Omit<ServerOptions, 'dataDir'>): Promise<ServerHandle> {
  const handle = await startServer({ host: '127.0.0.1', port: 0, dataDir: tempDir(), ...options })
  handles.push(handle)
  return handle
}

async function database(): Promise<string> {
  const url = await createTestDatabase()
  databases.push(url)
  return url
}

function withPassword(url: string, password: string): string {
  const parsed = new URL(url)
  parsed.password = password
  return parsed.toString()
}

function withPort(url: string, port: number): string {
  const parsed = new URL(url)
  parsed.port = String(port)
  return parsed.toString()
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${name}`
  return parsed.toString()
}

function runCli(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, '--port', '0', '--data-dir', tempDir()], {
      env: { ...process.env, PARLEY_LOG: 'error', ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    children.push(child)
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => reject(new Error(`the CLI did not exit: ${output}`)), CLI_EXIT_TIMEOUT_MS)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

describeWithEngines('cluster startup checks', ({ databaseUrl, redisUrl }) => {
  it('says PostgreSQL cannot be reached, with its address and without the password', async () => {
    const url = withPassword(withPort(databaseUrl, await freePort()), 'topsecret')
    const failure = await start({ databaseUrl: url }).catch((err: Error) => err)
    expect(failure).toBeInstanceOf(Error)
    expect((failure as Error).message).toMatch(/^PostgreSQL at postgres:\/\/parley:\*\*\*@127\.0\.0\.1:\d+\/\S* cannot be reached \(.*ECONNREFUSED.*\); check PARLEY_DATABASE_URL/)
    expect((failure as Error).message).not.toContain('topsecret')
  })

  it('says the password is wrong (28P01)', async () => {
    const failure = await start({ databaseUrl: withPassword(databaseUrl, 'not-the-password') }).catch((err: Error) => err)
    expect((failure as Error).message).toMatch(/refused the password; check the user and password in PARLEY_DATABASE_URL\.$/)
    expect((failure as Error).message).not.toContain('not-the-password')
  })

  it('says the database does not exist (3D000)', async () => {
    const failure = await start({ databaseUrl: withDatabase(databaseUrl, 'parley_t_missing0') }).catch((err: Error) => err)
    expect((failure as Error).message).toMatch(/has no database "parley_t_missing0"; create it/)
  })

  it('says the schema is newer than this server knows, and leaves the database as it was', async () => {
    const url = await database()
    const newer = latestPostgresVersion() + 1
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    try {
      await admin.query('CREATE TABLE parley_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)')
      await admin.query('INSERT INTO parley_schema VALUES ($1, $2, $3)', [newer, 'from the future', Date.now()])
      const failure = await start({ databaseUrl: url }).catch((err: Error) => err)
      expect((failure as Error).message).toMatch(new RegExp(`schema version ${newer}, newer than this server knows \\(${newer - 1}\\)`))
      const tables = await admin.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")
      expect(tables.rows[0].n).toBe(1) // nothing migrated
    } finally {
      await admin.end()
    }
  })

  it('says Redis cannot be reached, or refused the password', async () => {
    const url = await database()
    const unreachable = await start({ databaseUrl: url, redisUrl: `redis://127.0.0.1:${await freePort()}` }).catch((err: Error) => err)
    expect((unreachable as Error).message).toMatch(/^The Redis bus at redis:\/\/127\.0\.0\.1:\d+ cannot be reached \(.*ECONNREFUSED.*\)/)
    const redis = await OwnRedis.start({ password: 'right-password' })
    redises.push(redis)
    const wrong = await start({ databaseUrl: url, redisUrl: `redis://:wrong-password@127.0.0.1:${redis.port}` }).catch((err: Error) => err)
    expect((wrong as Error).message).toMatch(/^The Redis bus at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/? refused the password \(WRONGPASS/)
    expect((wrong as Error).message).not.toContain('wrong-password')
    const missing = await start({ databaseUrl: url, redisUrl: `redis://127.0.0.1:${redis.port}` }).catch((err: Error) => err)
    expect((missing as Error).message).toMatch(/refused the password \(NOAUTH/)
    // The right password works: the checks let a correct configuration through.
    const ok = await start({ databaseUrl: url, redisUrl: `redis://:right-password@127.0.0.1:${redis.port}` })
    expect(ok.port).toBeGreaterThan(0) // its redis-server goes after it (afterEach)
  })

  it('the CLI prints the sentence and exits non-zero', async () => {
    const run = await runCli({ PARLEY_DATABASE_URL: withPassword(databaseUrl, 'not-the-password') })
    expect(run.code).toBe(1)
    expect(run.output).toMatch(/The server could not start: PostgreSQL at \S+ refused the password; check the user and password in PARLEY_DATABASE_URL\./)
    expect(run.output).not.toContain('not-the-password')
  })

  void redisUrl
})

async function getText(url: string): Promise<{ status: number; text: string; type: string | null }> {
  const response = await fetch(url)
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') }
}

function metricValue(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(line + ' '))
  return found ? Number(found.slice(line.length + 1)) : NaN
}

describeWithEngines('operations routes and the drain', ({ redisUrl }) => {
  it('answers /healthz, /readyz and /metrics (connections, sends, commits, bus) with a registry per server', async () => {
    const url = await database()
    const [node, other] = [await start({ databaseUrl: url, redisUrl }), await start({ databaseUrl: url, redisUrl })]
    expect((await getText(node.url + '/healthz')).status).toBe(200)
    expect(await getText(node.url + '/readyz')).toMatchObject({ status: 200, text: JSON.stringify({ status: 'ready' }) })

    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    for (const user of [alice, bob]) await registerAccount(node.url, user, TEST_PASSWORD)
    const client = new ChatClient({ serverUrl: node.url, deviceId: 'ops-a', dataDir: tempDir(), timings: FAST_TIMINGS })
    clients.push(client)
    await client.login(alice, TEST_PASSWORD)
    await client.sendText(bob, 'counted')
    await waitFor('the ack', async () => (await client.page(bob, null, 10)).messages.some((m) => m.status === 'sent'))

    const metrics = await getText(node.url + '/metrics')
    expect(metrics.status).toBe(200)
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(metricValue(metrics.text, 'parley_connections')).toBe(1)
    expect(metricValue(metrics.text, 'parley_sends_total{result="ok"}')).toBe(1)
    expect(metricValue(metrics.text, 'parley_messages_committed_total')).toBe(1)
    expect(metricValue(metrics.text, 'parley_send_commit_seconds_count')).toBe(1)
    expect(metricValue(metrics.text, 'parley_bus_connected')).toBe(1)
    expect(metricValue(metrics.text, 'parley_draining')).toBe(0)
    for (const name of ['parley_bus_published_total', 'parley_bus_received_total', 'parley_bus_dropped_total', 'parley_store_commit_p99_seconds', 'parley_bus_lag_seconds_count', 'parley_process_cpu_seconds_total']) {
      expect(metrics.text).toContain(`\n${name}`)
    }
    // The other server in this process keeps its own counts.
    const others = await getText(other.url + '/metrics')
    expect(metricValue(others.text, 'parley_connections')).toBe(0)
    expect(Number.isNaN(metricValue(others.text, 'parley_sends_total{result="ok"}'))).toBe(true)
  })

  it('lists gateways in the login answer: PARLEY_GATEWAYS in order, else this node as the client reached it', async () => {
    const url = await database()
    const listed = ['ws://10.1.0.1:3210/ws', 'ws://10.1.0.2:3210/ws']
    const configured = await start({ databaseUrl: url, redisUrl, gateways: listed })
    const plain = await start({ databaseUrl: url, redisUrl })
    const user = uniqueUser('gw')
    await registerAccount(plain.url, user, TEST_PASSWORD)
    expect((await loginAccount(configured.url, user, TEST_PASSWORD)).gateways).toEqual(listed)
    expect((await loginAccount(plain.url, user, TEST_PASSWORD)).gateways).toEqual([`ws://127.0.0.1:${plain.port}/ws`])
  })

  it('readiness is not ready while PostgreSQL does not answer', async () => {
    const readiness = createReadiness(`postgres://parley:parley@127.0.0.1:${await freePort()}/parley`)
    try {
      const answer = await readiness.check()
      expect(answer.ready).toBe(false)
      expect(answer.reason).toMatch(/^PostgreSQL at postgres:\/\/parley:\*\*\*@127\.0\.0\.1:\d+\/parley does not answer/)
    } finally {
      await readiness.close()
    }
  })

  it('drains: readyz 503 at once, new sockets and sign-ins refused, clients closed with CLOSE_MOVE_NOW, then the port closes', async () => {
    const url = await database()
    const node = await start({ databaseUrl: url, redisUrl, drainLingerMs: 500 })
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    for (const user of [alice, bob]) await registerAccount(node.url, user, TEST_PASSWORD)
    const login = await loginAccount(node.url, alice, TEST_PASSWORD)
    const socket = new WebSocket(login.gateways[0] as string)
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))

    const drained = node.drain()
    const ready = await getText(node.url + '/readyz')
    expect(ready.status).toBe(503)
    expect(JSON.parse(ready.text)).toMatchObject({ status: 'not-ready', reason: expect.stringMatching(/draining/) })
    expect(await closed).toBe(CloseCode.CLOSE_MOVE_NOW)
    const refused = await new Promise<string>((resolve) => {
      const late = new WebSocket(login.gateways[0] as string)
      late.once('open', () => resolve('opened'))
      late.once('error', (err) => resolve(err.message))
    })
    expect(refused).toMatch(/503/)
    expect((await fetch(node.url + '/app/chat/user/login', { method: 'POST', body: '{}' })).status).toBe(503)
    await drained
    handles.splice(handles.indexOf(node), 1)
    await expect(fetch(node.url + '/healthz')).rejects.toThrow()
  })
})
