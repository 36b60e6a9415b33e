// Owns the store's connection inside its worker thread (SQLite, or PostgreSQL in cluster mode): answers the store
// proxy's calls, and groups every appendMessages call that arrives while a commit runs into the next one (group commit).
import { parentPort, workerData } from 'node:worker_threads'
import type { NewMessage } from './types'
import { openSqliteCore, type StoreCore } from './sqlite'
import { openPostgresCore } from './postgres/open'
import {
  compactResults,
  READ_ONLY_CALLS,
  unpackMessages,
  type PackedMessages,
  type WorkerInit,
  type WorkerReply,
  type WorkerRequest,
  type WorkerSignal
} from './worker-protocol'

interface QueuedAppend {
  id: number
  messages: readonly NewMessage[]
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function serve(port: NonNullable<typeof parentPort>, init: WorkerInit): void {
  let core: StoreCore
  try {
    const { databaseUrl, applicationName, ...sqliteOptions } = init.options
    core = databaseUrl ? openPostgresCore(databaseUrl, { applicationName }) : openSqliteCore(init.dataDir, sqliteOptions)
  } catch (err) {
    port.postMessage({ type: 'open-failed', error: errorText(err) } satisfies WorkerSignal)
    return
  }

  let appends: QueuedAppend[] = []
  let flushScheduled = false

  const reply = (message: WorkerReply): void => port.postMessage(message)

  /**
   * Commits every queued append in one transaction. While that COMMIT waits for its fsync this thread is blocked,
   * so the calls arriving meanwhile pile up in the port and all join the next flush: the batch grows with the
   * disk's latency instead of with a timer.
   */
  const flushAppends = (): void => {
    flushScheduled = false
    if (appends.length === 0) return
    const batch = appends
    appends = []
    const outcomes = core.appendGroups(batch.map((item) => item.messages))
    batch.forEach((item, index) => {
      const outcome = outcomes[index]
      if (outcome?.ok) reply({ id: item.id, ok: true, value: compactResults(outcome.results, item.messages) })
      else reply({ id: item.id, ok: false, error: outcome?.error ?? 'The append returned nothing.' })
    })
  }

  let closed = false

  /** Retention in steps of a few users, with the queued calls (sends) served between steps. */
  const trimInSteps = (request: WorkerRequest): void => {
    const before = request.args[0] as number
    let dropped = 0
    const step = (afterUser: string): void => {
      if (closed) {
        reply({ id: request.id, ok: false, error: 'The store closed during retention.' })
        return
      }
      try {
        const result = core.runCall(false, () => core.trimStep(before, afterUser))
        dropped += result.dropped
        if (result.lastUser === null) reply({ id: request.id, ok: true, value: dropped })
        else setImmediate(step, result.lastUser)
      } catch (err) {
        reply({ id: request.id, ok: false, error: errorText(err) })
      }
    }
    step('')
  }

  /** Auth cleanup in bounded steps, with the queued calls (sign-ins, sends) served between steps. */
  const pruneAuthInSteps = (request: WorkerRequest): void => {
    const [tokensExpiredBefore, now] = request.args as [number, number]
    const total = { tokens: 0, deviceSessions: 0, attempts: 0 }
    const step = (): void => {
      if (closed) {
        reply({ id: request.id, ok: false, error: 'The store closed during auth cleanup.' })
        return
      }
      try {
        const result = core.runCall(false, () => core.pruneAuthStep(tokensExpiredBefore, now))
        total.tokens += result.tokens
        total.deviceSessions += result.deviceSessions
        total.attempts += result.attempts
        if (result.done) reply({ id: request.id, ok: true, value: total })
        else setImmediate(step)
      } catch (err) {
        reply({ id: request.id, ok: false, error: errorText(err) })
      }
    }
    step()
  }

  const handle = (request: WorkerRequest): void => {
    if (request.method === 'appendMessages') {
      appends.push({ id: request.id, messages: unpackMessages(request.args[0] as PackedMessages) })
      if (!flushScheduled) {
        flushScheduled = true
        // setImmediate runs after the port's queued messages of this turn: they all join the batch.
        setImmediate(flushAppends)
      }
      return
    }
    if (request.method === 'trimLogs') {
      trimInSteps(request)
      return
    }
    if (request.method === 'pruneAuth') {
      pruneAuthInSteps(request)
      return
    }
    // Close (and every other call) comes after the appends sent before it: keep the proxy's order.
    if (request.method === 'close') {
      flushAppends()
      closed = true
    }
    try {
      const method = core[request.method] as (...args: unknown[]) => unknown
      const value = request.method === 'close' ? method() : core.runCall(READ_ONLY_CALLS.has(request.method), () => method(...request.args))
      reply({ id: request.id, ok: true, value })
    } catch (err) {
      reply({ id: request.id, ok: false, error: errorText(err) })
    }
    if (request.method === 'close') port.close()
  }

  port.on('message', handle)
  port.postMessage({ type: 'ready' } satisfies WorkerSignal)
}

if (!parentPort) throw new Error('store-worker runs only as a worker thread (see worker-store.ts).')
serve(parentPort, workerData as WorkerInit)
