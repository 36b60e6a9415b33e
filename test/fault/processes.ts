// Owns the fault harness's child processes: the bundled server (out/server/cli.js) started on a data folder and
// killed with SIGKILL, and the bundled client child (out/fault/client-child.js) driven over IPC.
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildConfig, ChildMessage, ParentMessage } from './child-protocol'
import type { DeviceSnapshot } from './snapshot'

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const SERVER_BUNDLE = path.join(ROOT, 'out/server/cli.js')
export const CLIENT_CHILD_BUNDLE = path.join(ROOT, 'out/fault/client-child.js')
export const BUILD_SCRIPT = path.join(ROOT, 'build/scripts/build-server.mjs')

/** A cold start of the bundled server or client takes ~0.2 s here; far more means it is stuck. */
const START_TIMEOUT_MS = 20_000
/** A snapshot reads a few hundred rows. */
const SNAPSHOT_TIMEOUT_MS = 20_000
/** Lowest scrypt cost the server allows: a run registers and signs in a dozen accounts and devices. */
const HARNESS_SCRYPT_LOG2_N = '10'
const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)/

/** Bundles the server and the client child (esbuild, well under a second); every harness entry point calls it once. */
export async function buildBundles(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [BUILD_SCRIPT, '--quiet'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] })
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build-server.mjs exited with ${code}`))))
  })
  for (const bundle of [SERVER_BUNDLE, CLIENT_CHILD_BUNDLE]) {
    if (!existsSync(bundle)) throw new Error(`${bundle} was not built`)
  }
}

/** Children still alive when this process exits (a crash, a closed pipe, Ctrl-C) are killed with it. */
const liveChildren = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL')
})
function track(child: ChildProcess): ChildProcess {
  liveChildren.add(child)
  child.once('exit', () => liveChildren.delete(child))
  return child
}

function onExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** The reference server as a child process on one data folder; the port is kept across restarts. */
export class ServerProcess {
  port = 0
  starts = 0
  private child: ChildProcess | null = null
  private output = ''

  /** `env`: more variables for the child (cluster mode: PARLEY_DATABASE_URL, PARLEY_REDIS_URL, PARLEY_GATEWAYS). */
  constructor(
    readonly dataDir: string,
    private readonly env: Readonly<Record<string, string>> = {}
  ) {}

  get running(): boolean {
    return this.child !== null
  }

  async start(): Promise<void> {
    if (this.child) throw new Error('the server child is already running')
    const child = track(spawn(process.execPath, [SERVER_BUNDLE], {
      cwd: ROOT,
      env: {
        ...process.env,
        PARLEY_PORT: String(this.port),
        PARLEY_DATA_DIR: this.dataDir,
        PARLEY_LOG: process.env['PARLEY_LOG'] ?? 'warn',
        PARLEY_SCRYPT_LOG2_N: HARNESS_SCRYPT_LOG2_N,
        ...this.env
      },
      stdio: ['ignore', 'pipe', 'pipe']
    }))
    this.child = child
    this.starts += 1
    this.output = ''
    const collect = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-8_000)
    }
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    let exited: (code: number | null, signal: string | null) => void = () => undefined
    try {
      this.port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the server did not start:\n${this.output}`)), START_TIMEOUT_MS)
        const poll = (): void => {
          const match = LISTENING.exec(this.output)
          if (!match) return
          clearTimeout(timer)
          resolve(Number(match[1]))
        }
        child.stdout?.on('data', poll)
        exited = (code, signal) => {
          clearTimeout(timer)
          reject(new Error(`the server exited (${code ?? signal}) before listening:\n${this.output}`))
        }
        child.once('exit', exited)
      })
    } catch (err) {
      child.kill('SIGKILL')
      this.child = null
      throw err
    } finally {
      child.off('exit', exited)
    }
    // Keep draining its output so a chatty server never blocks on a full pipe; warnings go to ours.
    child.stdout?.removeAllListeners('data')
    child.stderr?.removeAllListeners('data')
    child.stdout?.resume()
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk))
  }

  /** A crash: SIGKILL, no shutdown code runs. */
  async kill(): Promise<void> {
    const child = this.child
    this.child = null
    if (!child) return
    child.kill('SIGKILL')
    await onExit(child)
  }

  /** A clean stop (SIGTERM: the server drains), for the end of a harness session; resolves with the exit code. */
  async stop(): Promise<number | null> {
    const child = this.child
    this.child = null
    if (!child) return null
    child.kill('SIGTERM')
    await onExit(child)
    return child.exitCode
  }
}

/**
 * Client children spawned ahead of need: starting node and loading the bundle takes most of a second on a busy
 * machine, so one spare always waits (for its configuration) while the current one runs.
 */
export class ChildPool {
  private spare: Promise<ChildProcess> | null = null

  /** Resolves once the child is loaded and listening for its configuration (its 'waiting' report). */
  private spawn(): Promise<ChildProcess> {
    const child = track(
      fork(CLIENT_CHILD_BUNDLE, [], {
        cwd: ROOT,
        env: { ...process.env, PARLEY_LOG: process.env['PARLEY_LOG'] ?? 'error' },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc']
      })
    )
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error('the client child did not load')), START_TIMEOUT_MS)
      const onMessage = (message: ChildMessage): void => {
        if (message.type === 'waiting') finish()
      }
      const onExit = (code: number | null, signal: string | null): void => finish(new Error(`the client child exited (${code ?? signal}) while loading`))
      const finish = (err?: Error): void => {
        clearTimeout(timer)
        child.off('message', onMessage)
        child.off('exit', onExit)
        if (err) reject(err)
        else resolve(child)
      }
      child.on('message', onMessage)
      child.once('exit', onExit)
    })
  }

  /** Starts loading the first spare (while the server starts, say). */
  prime(): void {
    this.spare ??= this.spawn()
    this.spare.catch(() => (this.spare = null))
  }

  /** A loaded child waiting for its configuration; the next spare starts loading at once. */
  async take(): Promise<ChildProcess> {
    const child = this.spare ?? this.spawn()
    this.spare = this.spawn()
    this.spare.catch(() => (this.spare = null)) // a spare that failed to load is replaced on the next take()
    return child
  }

  async close(): Promise<void> {
    const spare = await this.spare?.catch(() => null)
    this.spare = null
    if (!spare) return
    spare.kill('SIGKILL')
    await onExit(spare)
  }
}

/** One device's client core in a child process (out/fault/client-child.js). */
export class ClientChild {
  private readonly acked = new Map<string, string>()
  private readonly stored = new Map<string, string>()
  readonly failures: string[] = []

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'acked') this.acked.set(message.id, message.text)
      else if (message.type === 'stored') this.stored.set(message.id, message.text)
      else if (message.type === 'failed') this.failures.push(message.message)
    })
  }

  /** Hands `config` to a warm child from the pool and resolves once it is signed in (or settled offline). */
  static async start(config: ChildConfig, pool: ChildPool): Promise<ClientChild> {
    const child = await pool.take()
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error('the client child did not start')), START_TIMEOUT_MS)
      const onMessage = (message: ChildMessage): void => {
        if (message.type === 'ready') finish()
        else if (message.type === 'failed') finish(new Error(`the client child could not start: ${message.message}`))
      }
      const onExit = (code: number | null, signal: string | null): void => {
        finish(new Error(`the client child exited (${code ?? signal}) before it was ready`))
      }
      const finish = (err?: Error): void => {
        clearTimeout(timer)
        child.off('message', onMessage)
        child.off('exit', onExit)
        if (err) reject(err)
        else resolve()
      }
      child.on('message', onMessage)
      child.once('exit', onExit)
      child.send({ type: 'start', config } satisfies ParentMessage)
    })
    return new ClientChild(child)
  }

  /** Ids and texts of its outgoing messages the child reported acked (since this process started). */
  get ackedMessages(): ReadonlyMap<string, string> {
    return this.acked
  }

  get storedMessages(): ReadonlyMap<string, string> {
    return this.stored
  }

  private post(message: ParentMessage): void {
    if (this.child.connected) this.child.send(message)
  }

  /** Resolves once the child has stored the message in its outbox (its 'stored' report); rejects on its refusal. */
  send(to: string, text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: ChildMessage): void => {
        if (message.type === 'stored' && message.text === text) finish()
        else if (message.type === 'failed' && message.message.startsWith('send:')) finish(new Error(message.message))
      }
      const onExit = (): void => finish(new Error('the client child exited'))
      const finish = (err?: Error): void => {
        this.child.off('message', onMessage)
        this.child.off('exit', onExit)
        if (err) reject(err)
        else resolve()
      }
      this.child.on('message', onMessage)
      this.child.once('exit', onExit)
      this.post({ type: 'send', to, text })
    })
  }

  markRead(conversationId: string): void {
    this.post({ type: 'markRead', conversationId })
  }

  async snapshot(): Promise<DeviceSnapshot> {
    return new Promise<DeviceSnapshot>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error('the client child did not answer a snapshot')), SNAPSHOT_TIMEOUT_MS)
      const onMessage = (message: ChildMessage): void => {
        if (message.type === 'snapshot') finish(null, message.snapshot)
        else if (message.type === 'failed' && message.message.startsWith('snapshot:')) finish(new Error(message.message))
      }
      const finish = (err: Error | null, snapshot?: DeviceSnapshot): void => {
        clearTimeout(timer)
        this.child.off('message', onMessage)
        if (err || !snapshot) reject(err ?? new Error('no snapshot'))
        else resolve(snapshot)
      }
      this.child.on('message', onMessage)
      this.post({ type: 'snapshot' })
    })
  }

  /** A crash: SIGKILL with whatever is in its outbox. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL')
    await onExit(this.child)
  }

  /** A clean end: the child closes its client when the IPC channel goes. */
  async stop(): Promise<void> {
    if (this.child.connected) this.child.disconnect()
    await onExit(this.child)
  }
}
