// Owns running bench:server's closed-loop load processes (lib/load-worker.ts): one process per slice of clients,
// started together on "go", their counts and send->ack latencies combined. Used by bench:server and bench:cluster.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import type { WorkerClient, WorkerInit, WorkerReport } from './load-worker'

const WORKER_FILE = fileURLToPath(new URL('./load-worker.ts', import.meta.url))

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index] as number
}

export interface RunResult {
  acked: number
  pushed: number
  errors: number
  elapsedMs: number
  latencies: Float64Array
  firstError: string | null
}

/** What each load process does once told "go" (see WorkerInit). */
export type LoadSettings = Pick<WorkerInit, 'messagesPerClient' | 'window' | 'text' | 'sendForMs' | 'settleMs'>

export async function runLoad(wsUrl: string, slices: WorkerClient[][], settings: LoadSettings): Promise<RunResult> {
  const workers = slices.map((clients, workerIndex) => {
    const init: WorkerInit = {
      workerIndex,
      wsUrl,
      clients,
      ...settings
    }
    const child = fork(WORKER_FILE, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    child.send(init)
    return child
  })
  const nextReport = (worker: ChildProcess): Promise<WorkerReport> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`load worker exited early (code ${code})`))
      worker.once('exit', onExit)
      worker.once('message', (message) => {
        worker.off('exit', onExit)
        resolve(message as WorkerReport)
      })
    })
  await Promise.all(workers.map(nextReport))
  const started = performance.now()
  const reports = workers.map(async (worker) => {
    const done = nextReport(worker)
    worker.send('go')
    const report = await done
    return { report, at: performance.now() }
  })
  const finished = await Promise.all(reports)
  const elapsedMs = Math.max(...finished.map((f) => f.at)) - started
  for (const worker of workers) worker.kill()
  const dones = finished.map((f) => f.report).filter((r): r is Extract<WorkerReport, { type: 'done' }> => r.type === 'done')
  const all = Float64Array.from(dones.flatMap((d) => d.latenciesMs)).sort()
  return {
    acked: dones.reduce((n, d) => n + d.acked, 0),
    pushed: dones.reduce((n, d) => n + d.pushed, 0),
    errors: dones.reduce((n, d) => n + d.errors, 0),
    elapsedMs,
    latencies: all,
    firstError: dones.find((d) => d.firstError)?.firstError ?? null
  }
}

