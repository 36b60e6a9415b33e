// Owns the supervision of one database worker thread, shared by the client store and the server store: calls in
// flight, a backlog until the worker is ready, the launch, the restart with backoff, the ref/unref, the close.
// Each side keeps its own protocol and its own errors (it says, through hooks, which calls a death fails and how).
import { Worker } from 'node:worker_threads'
import type { Logger } from './logger'

/** A call the worker has been sent (or will be, from the backlog); settled by the worker's reply. */
export interface PendingCall {
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

/** What the worker says about opening its database (the first message it posts). */
export type WorkerOpenSignal<ReadyInfo> = { type: 'ready'; info: ReadyInfo } | { type: 'open-failed'; error: Error }

/** One answer of the worker to a call. */
export type WorkerCallReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: Error }

/** A worker thread that stopped, as the side's death hook sees it. */
export interface WorkerDeath {
  code: number
  /** Whether it had opened its database (said 'ready'). */
  opened: boolean
  /** What it said when it could not open its database; null when it died without saying. */
  openError: Error | null
  /** Calls it had been sent: each may or may not have completed. */
  interrupted: number
}

/** How a death settles the calls: the side decides (a transient retry error, or the end of the waiting). */
export interface WorkerDeathVerdict {
  /** launch()'s rejection, when the worker died before opening its database. */
  openError: Error
  /** The error of each call the dead worker had been sent. */
  interruptedError: () => Error
  /** The error of each call still waiting for a worker, or null to keep them waiting for the next one. */
  waitingError: (() => Error) | null
}

export interface WorkerSupervisorOptions<ReadyInfo> {
  log: Logger
  /** The worker's name in the log ('store worker'). */
  name: string
  start(): Worker
  /** Reads a message of the worker: its open signal, or a reply to a call. */
  read(message: unknown): WorkerOpenSignal<ReadyInfo> | WorkerCallReply
  onReady?(info: ReadyInfo): void
  onDeath(death: WorkerDeath): WorkerDeathVerdict
  /** The error of a call made after close (one per call). */
  closedError(): Error
  /** The first restart delay, doubled after each start that fails to open the database. */
  restartDelayMs: number
  maxRestartDelayMs: number
}

export interface WorkerSupervisor<Request extends { id: number }> {
  /** How many times the worker was restarted after dying. */
  readonly restarts: number
  /** The running worker, if any. */
  readonly worker: Worker | null
  readonly ready: boolean
  /** Starts the first worker; resolves once it has opened its database, else ends everything and rejects. */
  open(): Promise<void>
  /** Sends a request (its id given here) now, or once a worker is ready; settles with the worker's reply. */
  call<T>(makeRequest: (id: number) => Request, transfer?: ArrayBuffer[]): Promise<T>
  /** Resolves once a worker is ready. */
  whenReady(): Promise<void>
  /** Resolves once the running worker has stopped. */
  whenDead(): Promise<void>
  /** `closeCall` (made while the worker is ready) lets it finish and close; then the calls left fail and it ends. */
  close(closeCall: () => Promise<unknown>): Promise<void>
}

/** Starts a worker entry: from TypeScript sources (vitest, tsx) it needs tsx's loader. */
export function startWorkerEntry(url: URL, workerData: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData })
  // A worker does not inherit the parent's module hooks and Node 20 ignores `--import` in a worker's execArgv:
  // register tsx's loader inside the worker, then load the entry.
  const tsxApi = import.meta.resolve('tsx/esm/api')
  const bootstrap = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(url.href)});`
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData })
}

export function superviseWorker<Request extends { id: number }, ReadyInfo>(
  options: WorkerSupervisorOptions<ReadyInfo>
): WorkerSupervisor<Request> {
  const { log, name } = options
  const pending = new Map<number, PendingCall>()
  /** Calls made while no worker is ready; sent in order once one is. */
  let backlog: Array<{ request: Request; transfer: ArrayBuffer[] | undefined }> = []
  let nextId = 1
  let worker: Worker | null = null
  let ready = false
  let closed = false
  let restarts = 0
  let restartDelayMs = options.restartDelayMs
  let restartTimer: NodeJS.Timeout | null = null
  let deathWaiters: Array<() => void> = []
  let readyWaiters: Array<() => void> = []

  const wake = (waiters: Array<() => void>): void => {
    for (const waiter of waiters) waiter()
  }

  // A worker with nothing to do must not keep the process alive; one with calls in flight must.
  const updateRef = (): void => {
    if (!worker) return
    if (pending.size > 0) worker.ref()
    else worker.unref()
  }

  /** Takes the calls of these ids out of `pending`, failing each with its own error. */
  const fail = (ids: number[], error: () => Error): void => {
    const calls = ids.map((id) => pending.get(id)).filter((call): call is PendingCall => call !== undefined)
    for (const id of ids) pending.delete(id)
    for (const call of calls) call.reject(error())
  }

  const launch = (): Promise<void> =>
    new Promise((resolveOpen, rejectOpen) => {
      const current = options.start()
      worker = current
      ready = false
      let opened = false
      /** What the worker reported when it could not open its database. */
      let openError: Error | null = null

      current.on('message', (raw: unknown) => {
        const message = options.read(raw)
        if ('type' in message) {
          if (message.type === 'ready') {
            opened = true
            ready = true
            restartDelayMs = options.restartDelayMs
            options.onReady?.(message.info)
            const waiting = backlog
            backlog = []
            for (const { request, transfer } of waiting) current.postMessage(request, transfer)
            updateRef()
            const waiters = readyWaiters
            readyWaiters = []
            wake(waiters)
            resolveOpen()
          } else {
            openError = message.error
            rejectOpen(openError)
            void current.terminate()
          }
          return
        }
        const call = pending.get(message.id)
        if (!call) return
        pending.delete(message.id)
        if (message.ok) call.resolve(message.value)
        else call.reject(message.error)
        updateRef()
      })
      current.on('error', (err) => {
        log.error(`the ${name} failed`, { error: err.message })
      })
      current.on('exit', (code) => {
        if (worker !== current) return
        worker = null
        ready = false
        const waiters = deathWaiters
        deathWaiters = []
        wake(waiters)
        if (closed) return
        // The calls sent to this worker: each may or may not have completed. Calls not sent yet are in the backlog.
        const waitingIds = backlog.map(({ request }) => request.id)
        const interruptedIds = [...pending.keys()].filter((id) => !waitingIds.includes(id))
        const verdict = options.onDeath({ code, opened, openError, interrupted: interruptedIds.length })
        if (!opened) {
          rejectOpen(verdict.openError)
          restartDelayMs = Math.min(restartDelayMs * 2, options.maxRestartDelayMs)
        }
        if (verdict.waitingError) {
          backlog = []
          fail(waitingIds, verdict.waitingError)
        }
        fail(interruptedIds, verdict.interruptedError)
        scheduleRestart()
      })
    })

  const scheduleRestart = (): void => {
    if (closed || restartTimer) return
    restartTimer = setTimeout(() => {
      restartTimer = null
      restarts += 1
      launch().then(
        () => log.info(`the ${name} was restarted`, { restarts }),
        (err: unknown) => log.error(`restarting the ${name} failed`, { error: err instanceof Error ? err.message : String(err) })
      )
    }, restartDelayMs)
  }

  return {
    get restarts() {
      return restarts
    },
    get worker() {
      return worker
    },
    get ready() {
      return ready
    },
    async open() {
      try {
        await launch()
      } catch (err) {
        closed = true
        if (restartTimer) clearTimeout(restartTimer)
        // launch() assigns `worker` inside its callbacks, which narrowing cannot see.
        await (worker as Worker | null)?.terminate()
        throw err
      }
    },
    call<T>(makeRequest: (id: number) => Request, transfer?: ArrayBuffer[]): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (closed) {
          reject(options.closedError())
          return
        }
        const id = nextId++
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
        const request = makeRequest(id)
        if (worker && ready) {
          worker.postMessage(request, transfer)
          updateRef()
        } else {
          backlog.push({ request, transfer })
        }
      })
    },
    whenReady() {
      return ready ? Promise.resolve() : new Promise<void>((resolve) => readyWaiters.push(resolve))
    },
    whenDead() {
      return worker ? new Promise<void>((resolve) => deathWaiters.push(resolve)) : Promise.resolve()
    },
    async close(closeCall: () => Promise<unknown>) {
      if (closed) return
      if (restartTimer) clearTimeout(restartTimer)
      const current = worker
      if (current && ready) {
        // The worker finishes what it was sent, closes its database and answers: then it may go.
        await closeCall().catch((err: unknown) => {
          log.warn(`closing the ${name}'s database failed`, { error: err instanceof Error ? err.message : String(err) })
        })
      }
      closed = true
      backlog = []
      fail([...pending.keys()], options.closedError)
      await current?.terminate()
    }
  }
}
