// Owns the download queue's scheduling: jobs by key, at most `concurrency` running, first come first served,
// cancel (a queued job never starts; a running one's signal aborts). What a job does is the caller's.

export type JobRunner = (signal: AbortSignal) => Promise<void>

interface Job {
  key: string
  run: JobRunner
  controller: AbortController
  settle: { resolve: () => void; reject: (err: unknown) => void }
  done: Promise<void>
}

export class TransferQueue {
  private readonly waiting: Job[] = []
  private readonly running = new Map<string, Job>()

  constructor(private readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer')
  }

  /** Queues a job unless one with the same key is queued or running (then its promise is returned). */
  add(key: string, run: JobRunner): Promise<void> {
    const existing = this.running.get(key) ?? this.waiting.find((job) => job.key === key)
    if (existing) return existing.done
    let settle!: Job['settle']
    const done = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject }
    })
    // Callers that only fire and forget must not see an unhandled rejection.
    done.catch(() => undefined)
    this.waiting.push({ key, run, controller: new AbortController(), settle, done })
    this.pump()
    return done
  }

  /** Whether the key is queued or running. */
  has(key: string): boolean {
    return this.running.has(key) || this.waiting.some((job) => job.key === key)
  }

  isRunning(key: string): boolean {
    return this.running.has(key)
  }

  get runningCount(): number {
    return this.running.size
  }

  get waitingCount(): number {
    return this.waiting.length
  }

  /** A queued job is dropped (its promise rejects with `reason`); a running one's signal aborts. False when unknown. */
  cancel(key: string, reason: Error): boolean {
    const index = this.waiting.findIndex((job) => job.key === key)
    if (index >= 0) {
      const [job] = this.waiting.splice(index, 1)
      job!.settle.reject(reason)
      return true
    }
    const job = this.running.get(key)
    if (!job) return false
    job.controller.abort(reason)
    return true
  }

  /** Cancels everything (the session closes). */
  cancelAll(reason: Error): void {
    for (const job of this.waiting.splice(0)) job.settle.reject(reason)
    for (const job of this.running.values()) job.controller.abort(reason)
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!
      this.running.set(job.key, job)
      void job
        .run(job.controller.signal)
        .then(job.settle.resolve, job.settle.reject)
        .finally(() => {
          this.running.delete(job.key)
          this.pump()
        })
    }
  }
}
