// Owns the store worker started ahead of the first sign-in: it loads its modules (the protobuf codec, SQLite's
// binding) while the window loads, then waits to be told which database to open; the first store to open takes it.
import type { Worker } from 'node:worker_threads'
import { createLogger } from '../../../../shared/logger'
import { startWorkerEntry } from '../../../../shared/worker-supervisor'
import { WARM_WORKER_DATA, type StoreWorkerInit, type StoreWorkerOpen } from './protocol'

const log = createLogger('core:store-warm')

interface Spare {
  worker: Worker
  /** The entry it runs: only a store started from the same entry may take it. */
  href: string
  /** Its listeners while it waits (the store's supervisor has its own once it is taken). */
  onExit: (code: number) => void
  onError: (err: Error) => void
}

let spare: Spare | null = null

/**
 * Starts one worker from `entry` that waits for its database (none when one already waits). The shells call it at
 * start, before the window asks for the saved sign-in, so a resumed session does not wait for the thread's modules.
 * It never keeps the process alive, and one that dies before it is taken is forgotten.
 */
export function prewarmStoreWorker(entry: URL): void {
  if (spare) return
  let worker: Worker
  try {
    worker = startWorkerEntry(entry, WARM_WORKER_DATA)
  } catch (err) {
    log.warn('could not start the store thread ahead of sign-in; it starts with the sign-in instead', { error: String(err) })
    return
  }
  const started: Spare = {
    worker,
    href: entry.href,
    onExit: (code) => {
      spare = null
      log.warn('the store thread started ahead of sign-in stopped before it was used', { code })
    },
    onError: (err) => log.warn('the store thread started ahead of sign-in failed', { error: String(err) })
  }
  worker.unref()
  worker.once('exit', started.onExit)
  worker.on('error', started.onError)
  spare = started
}

/** The waiting worker, told to open `init`'s database, when it runs `entry`; else null (start a new one). */
export function takeWarmStoreWorker(entry: URL, init: StoreWorkerInit): Worker | null {
  const taken = spare
  if (!taken || taken.href !== entry.href) return null
  spare = null
  taken.worker.off('exit', taken.onExit)
  taken.worker.off('error', taken.onError)
  taken.worker.ref()
  taken.worker.postMessage({ type: 'open', init } satisfies StoreWorkerOpen)
  return taken.worker
}

/** Whether a worker waits to be taken (diagnostics, tests). */
export function hasWarmStoreWorker(): boolean {
  return spare !== null
}

/** Ends the waiting worker, if any (the shell is closing, or a test cleans up). */
export async function discardWarmStoreWorker(): Promise<void> {
  const discarded = spare
  spare = null
  if (!discarded) return
  discarded.worker.off('exit', discarded.onExit)
  await discarded.worker.terminate()
}
