// Owns "one Parley at a time": the single-instance lock, and in development the wait for the previous app to exit,
// because `electron-vite dev --watch` starts the rebuilt app while the old one is still shutting down.
import { app } from 'electron'
import { createLogger } from '../../shared/logger'

const log = createLogger('main:single-instance')
/** How long a dev restart waits for the old app: its shutdown closes the session and the embedded server (~1-2 s). */
const DEV_RESTART_WAIT_MS = 10_000
/** Between two attempts to take the lock. */
const DEV_RESTART_POLL_MS = 100

/** Sleeps without an event loop (start-up, before anything else runs). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * Takes the single-instance lock. False: another Parley runs, and it was handed this launch's argv (its
 * 'second-instance' event focuses it and opens the link); this one must quit. Under `npm run dev` (the renderer
 * served by electron-vite) a held lock is the previous build still exiting, so it waits for it instead.
 */
export function takeSingleInstanceLock(): boolean {
  if (app.requestSingleInstanceLock()) return true
  if (!process.env['ELECTRON_RENDERER_URL']) return false
  log.info('waiting for the previous development build to exit')
  const deadline = Date.now() + DEV_RESTART_WAIT_MS
  while (Date.now() < deadline) {
    sleepSync(DEV_RESTART_POLL_MS)
    if (app.requestSingleInstanceLock()) return true
  }
  return false
}
