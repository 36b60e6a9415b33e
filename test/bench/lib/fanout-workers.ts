// Owns driving bench:fanout's load processes (lib/fanout-worker.ts) from a benchmark: numbered commands and their
// answers, one open-loop phase (measure, send, report) and the combined figures of a phase. Used by fanout and cluster.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { FanoutAnswer, FanoutCommand, FanoutReport } from './fanout-worker'
import { lowerProcessPriority } from '../../../src/main/server-process/process-priority'

/** A worker reports once nothing has arrived at its sockets for this long after the sends. */
const QUIET_MS = 2_000
const MAX_REPORT_WAIT_MS = 120_000

const WORKER_FILE = fileURLToPath(new URL('./fanout-worker.ts', import.meta.url))

/** The load processes, each answering numbered commands. */
export class FanoutWorkers {
  private readonly children: ChildProcess[]
  private seq = 0
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>()

  constructor(count: number) {
    this.children = Array.from({ length: count }, () => {
      const child = fork(WORKER_FILE, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
      child.on('message', (message: FanoutAnswer) => {
        const waiter = this.waiting.get(message.seq)
        if (!waiter) return
        this.waiting.delete(message.seq)
        if (message.ok) waiter.resolve(message.answer)
        else waiter.reject(new Error(message.error))
      })
      child.on('exit', (code) => {
        for (const waiter of this.waiting.values()) waiter.reject(new Error(`a fanout worker exited (code ${code})`))
        this.waiting.clear()
      })
      return child
    })
  }

  get count(): number {
    return this.children.length
  }

  /**
   * Lowers every load process (each of its threads on Linux) below the server under test: the clients stand in for
   * devices on other machines, so the CPU the receivers spend decoding must not be taken from the server. Called once
   * their sockets are open, when their threads exist (threads started later inherit the lower priority).
   */
  lowerPriority(): void {
    for (const child of this.children) if (child.pid !== undefined) lowerProcessPriority(child.pid)
  }

  call<T>(worker: number, command: FanoutCommand): Promise<T> {
    const seq = ++this.seq
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(seq, { resolve: resolve as (value: unknown) => void, reject })
      this.children[worker]?.send({ seq, command })
    })
  }

  all<T>(command: FanoutCommand | ((worker: number) => FanoutCommand)): Promise<T[]> {
    return Promise.all(this.children.map((_, w) => this.call<T>(w, typeof command === 'function' ? command(w) : command)))
  }

  kill(): void {
    for (const child of this.children) child.kill()
  }
}

export interface Phase {
  sent: number
  acked: number
  errors: number
  firstError: string | null
  deliveries: number
  elapsedMs: number
  /** Per message, the time until the last receiver had it. */
  toAllMs: number[]
  ackLatenciesMs: number[]
  droppedCounted: number
}

export function combine(reports: FanoutReport[]): Phase {
  const firstSendAt = Math.min(...reports.filter((r) => r.firstSendAt > 0).map((r) => r.firstSendAt))
  const lastDeliveryAt = Math.max(...reports.map((r) => r.lastDeliveryAt))
  const toAll = new Map<number, number>()
  for (const report of reports) {
    for (const [index, latency] of Object.entries(report.lastArrivalMs)) {
      const key = Number(index)
      toAll.set(key, Math.max(toAll.get(key) ?? 0, latency))
    }
  }
  return {
    sent: reports.reduce((n, r) => n + r.sent, 0),
    acked: reports.reduce((n, r) => n + r.acked, 0),
    errors: reports.reduce((n, r) => n + r.errors, 0),
    firstError: reports.find((r) => r.firstError)?.firstError ?? null,
    deliveries: reports.reduce((n, r) => n + r.deliveries, 0),
    elapsedMs: lastDeliveryAt - firstSendAt,
    toAllMs: [...toAll.values()],
    ackLatenciesMs: reports.flatMap((r) => r.ackLatenciesMs),
    droppedCounted: reports.reduce((n, r) => n + r.droppedCounted, 0)
  }
}


/** One open-loop send phase: measure `kind` everywhere, send from `sender` on one worker, collect the reports. */
export async function runPhase(
  workers: FanoutWorkers,
  kind: 'room' | 'group' | 'single',
  senders: { worker: number; send: Extract<FanoutCommand, { type: 'send' }> }[]
): Promise<FanoutReport[]> {
  await workers.all({ type: 'measure', kind })
  await Promise.all(senders.map(({ worker, send }) => workers.call(worker, send)))
  return workers.all<FanoutReport>({ type: 'report', quietMs: QUIET_MS, maxWaitMs: MAX_REPORT_WAIT_MS })
}
