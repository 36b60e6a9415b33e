// Owns a redis-server a test starts for itself on a free loopback port (never the shared one, which other tests
// use): started (optionally with a password) until it accepts connections, killed with SIGKILL as a crash, restarted
// on the same port (empty: no persistence), and killed for good when the process exits.
import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import { freePort } from './free-port'

/** How long a redis-server may take to accept connections. */
const LISTEN_WITHIN_MS = 10_000
const LISTEN_POLL_MS = 50

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

export class OwnRedis {
  private child: ChildProcess | null = null

  private constructor(
    readonly port: number,
    private readonly password: string | null
  ) {}

  /** Starts one on a free port (with `requirepass` when a password is given). */
  static async start(options: { password?: string } = {}): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort(), options.password ?? null)
    await redis.start()
    return redis
  }

  get url(): string {
    return this.password === null ? `redis://127.0.0.1:${this.port}` : `redis://:${this.password}@127.0.0.1:${this.port}`
  }

  /** (Re)starts it on its port, empty. */
  async start(): Promise<void> {
    if (this.child) throw new Error('this redis-server is already running')
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
    if (this.password !== null) args.push('--requirepass', this.password)
    const child = spawn('redis-server', args, { stdio: 'ignore' })
    this.child = child
    process.once('exit', () => child.kill('SIGKILL'))
    const deadline = Date.now() + LISTEN_WITHIN_MS
    while (!(await accepts(this.port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited at start (code ${child.exitCode}) on port ${this.port}`)
      if (Date.now() > deadline) throw new Error(`redis-server did not listen on port ${this.port} within ${LISTEN_WITHIN_MS} ms`)
      await new Promise((resolve) => setTimeout(resolve, LISTEN_POLL_MS))
    }
  }

  /** A crash: SIGKILL, resolved once it is gone. */
  async kill(): Promise<void> {
    const child = this.child
    this.child = null
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }
}
