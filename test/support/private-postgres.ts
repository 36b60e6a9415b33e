// Owns a PostgreSQL cluster of one test (initdb in a temp folder, a free loopback port), for tests that stop,
// restart or crash PostgreSQL and so must never touch the shared engine of build/scripts/test-engines.sh.
import { execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const ROLE = 'parley'
const PASSWORD = 'parley'
/** How long pg_ctl may wait for a start, a stop or a restart (crash recovery included). */
const PG_CTL_WAIT_SEC = 60

/** `pg_ctl -m`: fast = clean stop (connections ended, checkpoint); immediate = a crash (recovery at the next start). */
export type StopMode = 'fast' | 'immediate'

export interface PrivatePostgres {
  /** postgres://parley:parley@127.0.0.1:<port>/postgres */
  readonly url: string
  readonly port: number
  restart(mode: StopMode): Promise<void>
  stop(mode?: StopMode): Promise<void>
  start(): Promise<void>
  /** Stops the cluster (if running) and removes its folder. */
  dispose(): Promise<void>
}

function pgBinDir(): string {
  const root = '/usr/lib/postgresql'
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : []
  const newest = versions.sort((a, b) => Number(a) - Number(b)).at(-1)
  if (!newest) throw new Error('PostgreSQL is not installed (Debian: apt-get install -y postgresql).')
  return path.join(root, newest, 'bin')
}

/** PostgreSQL refuses to run as root: as root, the cluster's files belong to `postgres` and it runs as that. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
  return { uid, gid }
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = pgBinDir()
  const user = runAs()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pg-'))
  if (user) fs.chownSync(dir, user.uid, user.gid)
  const dataDir = path.join(dir, 'data')
  const pwfile = path.join(dir, 'pwfile')
  fs.writeFileSync(pwfile, `${PASSWORD}\n`)
  if (user) fs.chownSync(pwfile, user.uid, user.gid)
  const options = { ...(user ?? {}), cwd: dir }
  await run(
    path.join(bin, 'initdb'),
    ['-D', dataDir, '-U', ROLE, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync'],
    options
  )
  const port = await freeLoopbackPort()
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
  const pgCtl = (...args: string[]): Promise<unknown> =>
    run(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-l', path.join(dir, 'pg.log'), '-w', '-t', String(PG_CTL_WAIT_SEC), ...args], options)
  let running = false
  const cluster: PrivatePostgres = {
    url: `postgres://${ROLE}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await pgCtl('-o', serverOptions, 'start')
      running = true
    },
    async stop(mode: StopMode = 'fast') {
      await pgCtl('-m', mode, 'stop')
      running = false
    },
    async restart(mode: StopMode) {
      await pgCtl('-m', mode, '-o', serverOptions, 'restart')
      running = true
    },
    async dispose() {
      if (running) await cluster.stop('immediate').catch(() => {})
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  await cluster.start()
  return cluster
}
