// Owns one fault-harness run and the session that hosts many: 2–4 users × 2 devices (real ChatClients with their
// own SQLite folders, one of them a child process) exchange messages through the faulty proxy while the server
// child is SIGKILLed and restarted and the client child is SIGKILLed with its outbox pending; then everything
// settles and the run is judged (property.ts). Every choice comes from the seed, counted in messages, not time.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ChatClient } from '../../src/main/core/client'
import { registerAccount } from '../../src/main/core/app-server'
import { removeDir } from '../support/test-server'
import { seededRandom } from '../support/seeded-random'
import type { ChildConfig } from './child-protocol'
import { ChildPool, ClientChild, ServerProcess } from './processes'
import { isClean, judgeRun, type DeviceObservation, type SentMessage, type Verdict } from './property'
import { FaultProxy, type FaultCounts, type Sabotage } from './proxy'
import { ServerLogReader, type UserLog } from './server-log'
import { snapshotDevice } from './snapshot'

const PASSWORD = 'fault-harness-password'
const DEVICES_PER_USER = 2
const MIN_USERS = 2
const MAX_USERS = 4
/** The floor per run. */
export const DEFAULT_MESSAGES_PER_RUN = 200
/** Pause between two messages, uniform in [0, MAX_PACE_MS]: ~1 s of traffic for 200 messages, links stay busy. */
const MAX_PACE_MS = 5
/** The server is SIGKILLed once per run, in the middle third; the traffic waits for its restart this many messages later. */
const SERVER_DOWN_MESSAGES = [20, 60] as const
/** The client child sends again this many messages after its kill (its restart begins at once). */
const CHILD_DOWN_MESSAGES = [10, 40] as const
/** Messages the child stores right before its kill (some still in its outbox when it dies). */
const CHILD_BURST = [3, 6] as const
/** Share of steps where a device marks a conversation read (unread counts must converge across devices). */
const MARK_READ_SHARE = 0.04
/** After the traffic, how long the run may take to converge before it is judged as it stands. */
const SETTLE_TIMEOUT_MS = 15_000
const SETTLE_POLL_MS = 100

/**
 * Short client timings so a run takes seconds. firstReconnectWindowMs / sendRetryMaxMs are the outbox and
 * reconnect knobs of issue 5 (ignored by a core that does not have them yet).
 */
export const HARNESS_TIMINGS = {
  heartbeatMinMs: 300,
  heartbeatMaxMs: 2_000,
  pongTimeoutMs: 1_000,
  backoffBaseMs: 30,
  backoffMaxMs: 300,
  requestTimeoutMs: 1_500,
  firstReconnectWindowMs: 100,
  sendRetryMaxMs: 300
}

/** A stalled frame waits past the client's request timeout (the request times out on a link that stays up). */
const STALL_MS = HARNESS_TIMINGS.requestTimeoutMs + 200

export interface RunOptions {
  seed: number
  messages?: number
  /** The harness's self-test: deliberately break delivery (see proxy.ts) and expect the verdict to say so. */
  sabotage?: Sabotage
  /** Leave out the server and client kills (the self-test's short runs). */
  noKills?: boolean
  /** How long the run may take to converge after the traffic (default SETTLE_TIMEOUT_MS). */
  settleTimeoutMs?: number
}

export interface RunResult extends Verdict {
  seed: number
  messages: number
  faults: FaultCounts
  serverKills: number
  clientKills: number
  sabotaged: number
  /** Frames the proxy relayed while faulting (the clock of the fault plan). */
  frames: number
  durationMs: number
  /** Where the time went: sign-ins, the traffic (with kills and restarts), convergence and judging. */
  phasesMs: { setUp: number; traffic: number; settle: number }
  clean: boolean
  /** Failures of the harness or the clients outside the property (a session ended, a send was refused). */
  problems: string[]
  /** What happened when, in ms since the run started (kills, restarts, phases): `soak --trace` prints it. */
  trace: string[]
}

/** A device in the run: an in-process ChatClient or the client child. */
interface Device {
  label: string
  user: string
  /** Per device: the next message's position in its typing order. */
  nextOrder: number
}

interface InProcessDevice extends Device {
  kind: 'in-process'
  client: ChatClient
  dataDir: string
}

interface ChildDevice extends Device {
  kind: 'child'
  config: ChildConfig
  /** null from its kill until the scenario takes it back as a sender (at its message count). */
  process: ClientChild | null
  /** The restarted child, started right after the kill (null if it could not start). */
  restarting: Promise<ClientChild | null> | null
}

/**
 * Sign-ins per run (registrations, devices, log readers) stay below the server's free attempts per address, and a
 * soak's consecutive runs use different addresses: 127.0.<1-250>.1, so one address comes back every 250 runs
 * (~15 minutes at the target pace, the server's counting window).
 */
const SOURCE_ADDRESSES = 250
function runSourceAddress(runNumber: number): string {
  return `127.0.${1 + (runNumber % SOURCE_ADDRESSES)}.1`
}

/**
 * Where the server's and the devices' SQLite folders go: PARLEY_FAULT_TMP, else tmpfs (/dev/shm) when there is one.
 * A SIGKILL loses nothing from the page cache, so what a run can observe is the same as on disk, without a thousand
 * runs of fsyncs on a disk other work shares (an fsync's worth is measured by bench:server, not here).
 */
function faultTempDir(): string {
  const SHARED_MEMORY = '/dev/shm'
  const root = process.env['PARLEY_FAULT_TMP'] || (fs.existsSync(SHARED_MEMORY) ? SHARED_MEMORY : os.tmpdir())
  return fs.mkdtempSync(path.join(root, 'parley-fault-'))
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function between(random: () => number, [low, high]: readonly [number, number]): number {
  return low + Math.floor(random() * (high - low + 1))
}

/**
 * A harness session: one server child on one data folder, reused by consecutive runs (each run kills and restarts
 * it once; users are new in every run, so runs do not see each other's messages).
 */
export class FaultHarness {
  private runCount = 0

  private readonly pool = new ChildPool()

  private constructor(
    private readonly server: ServerProcess,
    private readonly dataDir: string
  ) {}

  static async open(): Promise<FaultHarness> {
    const dataDir = faultTempDir()
    const server = new ServerProcess(dataDir)
    const harness = new FaultHarness(server, dataDir)
    harness.pool.prime()
    await server.start()
    return harness
  }

  async close(): Promise<void> {
    await this.pool.close()
    await this.server.stop()
    removeDir(this.dataDir)
  }

  async run(options: RunOptions): Promise<RunResult> {
    this.runCount += 1
    if (!this.server.running) await this.server.start()
    const run = new Run(this.server, this.pool, options, `${this.runCount}s${options.seed}`, runSourceAddress(this.runCount))
    return run.execute()
  }
}

class Run {
  private readonly random: () => number
  private readonly total: number
  private readonly users: string[] = []
  private readonly devices: Array<InProcessDevice | ChildDevice> = []
  private readonly sent = new Map<string, SentMessage>()
  private readonly acked = new Set<string>()
  private readonly problems: string[] = []
  private readonly tempDirs: string[] = []
  private proxy: FaultProxy | null = null
  private child: ChildDevice | null = null
  private serverKills = 0
  private clientKills = 0
  private serverRestart: Promise<void> | null = null
  private readonly started = Date.now()
  private readonly trace: string[] = []

  constructor(
    private readonly server: ServerProcess,
    private readonly pool: ChildPool,
    private readonly options: RunOptions,
    private readonly tag: string,
    /** This run's loopback source address towards the server (see FaultProxyOptions.sourceAddress). */
    private readonly sourceAddress: string
  ) {
    this.random = seededRandom(options.seed)
    this.total = options.messages ?? DEFAULT_MESSAGES_PER_RUN
  }

  private note(what: string): void {
    this.trace.push(`${Date.now() - this.started} ms: ${what}`)
  }

  async execute(): Promise<RunResult> {
    const started = this.started
    const proxy = await FaultProxy.start({
      // A different stream from the scenario's: the fault plan and the traffic are drawn independently.
      seed: (this.options.seed ^ 0x5eed_f00d) >>> 0,
      sabotage: this.options.sabotage,
      sourceAddress: this.sourceAddress,
      stallMs: STALL_MS
    })
    this.proxy = proxy
    proxy.setUpstreamPort(this.server.port)
    let verdict: Verdict | null = null
    const phasesMs = { setUp: 0, traffic: 0, settle: 0 }
    try {
      let mark = Date.now()
      const lap = (): number => {
        const now = Date.now()
        const elapsed = now - mark
        mark = now
        return elapsed
      }
      await this.setUp(proxy.url)
      phasesMs.setUp = lap()
      proxy.setFaulting(true)
      await this.traffic()
      proxy.setFaulting(false)
      phasesMs.traffic = lap()
      verdict = await this.settle()
      phasesMs.settle = lap()
    } catch (err) {
      this.problems.push(`the run stopped: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    } finally {
      await this.tearDown()
    }
    const judged = verdict ?? emptyVerdict()
    return {
      seed: this.options.seed,
      messages: this.sent.size,
      ...judged,
      faults: { ...proxy.faults },
      serverKills: this.serverKills,
      clientKills: this.clientKills,
      sabotaged: proxy.sabotaged,
      frames: proxy.framesSeen,
      durationMs: Date.now() - started,
      phasesMs,
      clean: verdict !== null && isClean(judged) && this.problems.length === 0,
      problems: this.problems,
      trace: this.trace
    }
  }

  private async setUp(proxyUrl: string): Promise<void> {
    const userCount = between(this.random, [MIN_USERS, MAX_USERS])
    for (let i = 0; i < userCount; i++) this.users.push(`h${this.tag}u${i}`.toLowerCase())
    // Through the proxy (it never faults HTTP), so registration comes from this run's source address too.
    await Promise.all(this.users.map((user) => registerAccount(proxyUrl, user, PASSWORD)))
    this.note(`${this.users.length} users registered`)
    const logins: Array<Promise<unknown>> = []
    for (const user of this.users) {
      for (let d = 0; d < DEVICES_PER_USER; d++) {
        const label = `${user}/d${d}`
        const dataDir = faultTempDir()
        this.tempDirs.push(dataDir)
        const deviceId = `fault-${randomUUID()}`
        if (!this.child) {
          // The first device of the first user lives in a child process.
          const config: ChildConfig = { serverUrl: proxyUrl, deviceId, dataDir, user, password: PASSWORD, timings: HARNESS_TIMINGS }
          const child: ChildDevice = { kind: 'child', label, user, nextOrder: 0, config, process: null, restarting: null }
          this.child = child
          this.devices.push(child)
          logins.push(
            ClientChild.start(config, this.pool).then((process) => {
              child.process = process
              this.note(`${label} (child) signed in`)
            })
          )
          continue
        }
        const client = new ChatClient({ serverUrl: proxyUrl, deviceId, dataDir, platform: 'desktop', timings: HARNESS_TIMINGS })
        const device: InProcessDevice = { kind: 'in-process', label, user, nextOrder: 0, client, dataDir }
        client.on('message', (message) => {
          if (message.direction === 'out' && message.status === 'sent' && message.content.type === 'text') this.acked.add(message.content.text)
        })
        client.on('sessionEnded', ({ reason }) => this.problems.push(`${label}: the session ended (${reason})`))
        this.devices.push(device)
        logins.push(client.login(user, PASSWORD))
      }
    }
    await Promise.all(logins)
    this.note('every device signed in')
  }

  private async traffic(): Promise<void> {
    const NEVER = -1
    const killServerAt = this.options.noKills ? NEVER : Math.floor(this.total / 3) + Math.floor(this.random() * (this.total / 3))
    const restartServerAt = this.options.noKills ? NEVER : killServerAt + between(this.random, SERVER_DOWN_MESSAGES)
    const killChildAt = this.options.noKills ? NEVER : Math.floor(this.total / 6) + Math.floor(this.random() * (this.total / 2))
    const restartChildAt = this.options.noKills ? NEVER : killChildAt + between(this.random, CHILD_DOWN_MESSAGES)
    let step = 0
    while (this.sent.size < this.total) {
      // Kills happen at message counts, and restarts begin at once (as a supervisor would restart a crashed
      // process); at its own count the traffic waits for the restart, so however slow the machine, a seed keeps
      // its shape (who may send when, and from which device, is a function of the seed).
      if (step === killServerAt) await this.killServerDuringCommits()
      if (step === restartServerAt) await this.serverRestart
      if (step === killChildAt) await this.killChildWithPendingOutbox()
      if (step === restartChildAt) await this.takeBackChild()
      step += 1
      const sender = this.pickSender()
      if (!sender) {
        await sleep(MAX_PACE_MS)
        continue
      }
      await this.send(sender, this.pickPeer(sender.user))
      if (this.random() < MARK_READ_SHARE) await this.markRead()
      await sleep(Math.floor(this.random() * (MAX_PACE_MS + 1)))
    }
    // The server and the child are back before settling.
    await this.serverRestart
    await this.takeBackChild()
    this.note('traffic done')
  }

  /** Every in-process device sends at once (one message each, so each keeps its order), then the server dies. */
  private async killServerDuringCommits(): Promise<void> {
    const inProcess = this.devices.filter((d): d is InProcessDevice => d.kind === 'in-process')
    await Promise.all(inProcess.map((device) => this.send(device, this.pickPeer(device.user))))
    await this.server.kill()
    this.serverKills += 1
    this.note(`server SIGKILLed after ${this.sent.size} messages`)
    this.serverRestart = this.restartServer()
  }

  private async restartServer(): Promise<void> {
    try {
      this.note('server restarting')
      await this.server.start()
      this.note('server listening again')
    } catch (err) {
      this.problems.push(`the server could not restart: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  private async killChildWithPendingOutbox(): Promise<void> {
    const child = this.child
    if (!child?.process) return
    const burst = between(this.random, CHILD_BURST)
    for (let i = 0; i < burst; i++) await this.send(child, this.pickPeer(child.user))
    const process = child.process
    child.process = null
    this.collectChildAcks(process)
    await process.kill()
    this.clientKills += 1
    this.note(`client child SIGKILLed after ${this.sent.size} messages (${burst} just stored)`)
    child.restarting = ClientChild.start(child.config, this.pool).then(
      (restarted) => {
        this.note('client child restarted from its database')
        return restarted
      },
      (err: unknown) => {
        this.problems.push(`${child.label}: could not restart: ${err instanceof Error ? err.message : String(err)}`)
        return null
      }
    )
  }

  /** The restarted child becomes a sender again (its restart began at the kill). */
  private async takeBackChild(): Promise<void> {
    const child = this.child
    if (!child?.restarting) return
    const restarted = await child.restarting
    child.restarting = null
    child.process = restarted
  }

  private collectChildAcks(process: ClientChild): void {
    for (const text of process.ackedMessages.values()) this.acked.add(text)
    for (const failure of process.failures) this.problems.push(`${this.child?.label}: ${failure}`)
    process.failures.length = 0
  }

  private pickSender(): InProcessDevice | ChildDevice | null {
    const available = this.devices.filter((d) => d.kind === 'in-process' || d.process !== null)
    if (available.length === 0) return null
    return available[Math.floor(this.random() * available.length)]!
  }

  private pickPeer(user: string): string {
    const others = this.users.filter((u) => u !== user)
    return others[Math.floor(this.random() * others.length)]!
  }

  private async send(device: InProcessDevice | ChildDevice, peer: string): Promise<void> {
    const order = device.nextOrder++
    const text = `fault ${this.tag} ${device.label} #${order}`
    try {
      if (device.kind === 'in-process') await device.client.sendText(peer, text)
      else if (device.process) await device.process.send(peer, text)
      else return
    } catch (err) {
      this.problems.push(`${device.label}: sendText refused "${text}": ${err instanceof Error ? err.message : String(err)}`)
      return
    }
    this.sent.set(text, { text, senderUser: device.user, senderDevice: device.label, order, peer })
  }

  private async markRead(): Promise<void> {
    const device = this.pickSender()
    if (!device) return
    const conversation = this.pickPeer(device.user)
    this.note(`${device.label} reads the chat with ${conversation}`)
    try {
      if (device.kind === 'in-process') await device.client.markRead(conversation)
      else device.process?.markRead(conversation)
    } catch {
      // A conversation this device has not seen yet: nothing to mark.
    }
  }

  /** Polls until the run's verdict is clean or the settle time is over; judges what is there then. */
  private async settle(): Promise<Verdict> {
    const direct = `http://127.0.0.1:${this.server.port}`
    const proxyUrl = this.proxy?.url ?? direct
    const readers = await Promise.all(this.users.map((user) => ServerLogReader.open(proxyUrl, direct, user, PASSWORD)))
    try {
      const deadline = Date.now() + (this.options.settleTimeoutMs ?? SETTLE_TIMEOUT_MS)
      for (;;) {
        await sleep(SETTLE_POLL_MS)
        const verdict = await this.judgeNow(readers)
        if (isClean(verdict) || Date.now() > deadline) {
          this.note(isClean(verdict) ? 'converged' : 'settle time over')
          return verdict
        }
      }
    } finally {
      for (const reader of readers) reader.close()
    }
  }

  private async judgeNow(readers: ServerLogReader[]): Promise<Verdict> {
    const serverLogs = new Map<string, UserLog>()
    for (const [i, reader] of readers.entries()) serverLogs.set(this.users[i]!, await reader.readLog())
    const observations: DeviceObservation[] = []
    for (const device of this.devices) {
      if (device.kind === 'in-process') {
        observations.push({ label: device.label, user: device.user, snapshot: await snapshotDevice(device.client) })
      } else if (device.process) {
        this.collectChildAcks(device.process)
        observations.push({ label: device.label, user: device.user, snapshot: await device.process.snapshot() })
      }
    }
    return judgeRun({ sent: this.sent, acked: this.acked, serverLogs, devices: observations })
  }

  private async tearDown(): Promise<void> {
    const closing: Array<Promise<unknown>> = []
    for (const device of this.devices) {
      if (device.kind === 'in-process') closing.push(device.client.close())
      else {
        closing.push(device.restarting?.then((restarted) => restarted?.stop()) ?? Promise.resolve())
        if (device.process) closing.push(device.process.stop())
      }
    }
    await Promise.allSettled(closing)
    await this.serverRestart?.catch(() => undefined)
    await this.proxy?.close()
    for (const dir of this.tempDirs) removeDir(dir)
  }
}

function emptyVerdict(): Verdict {
  return { acked: 0, lost: 0, duplicated: 0, reordered: 0, stuck: 0, failed: 0, diverged: 0, unreadMismatch: 0, stalePreview: 0, examples: [] }
}
