// Owns the CPU priority of the store's worker thread: below the thread that runs the core, so the core answers the
// windows first when the cores are busy (a long catch-up writing while the renderer and the embedded server work).
import os from 'node:os'

/**
 * The store thread runs at this lower CPU priority than the thread that runs the core (nice; 0 = the same). When the
 * cores are busy (a long catch-up writing while the renderer and the embedded server work too), the scheduler then
 * gives the core's thread, which answers every window's IPC, the CPU first, and the store's writes take the rest.
 */
export const STORE_THREAD_NICE = 10

/**
 * Lowers this thread's priority only: on Linux the nice value is per thread, and setpriority(0) names the calling
 * thread. Elsewhere it names the whole process, which must keep its priority, so there it is left alone.
 */
export function lowerThisThreadPriority(): void {
  if (process.platform !== 'linux') return
  try {
    os.setPriority(STORE_THREAD_NICE)
  } catch {
    // Refused by the system: the store works the same at the normal priority.
  }
}

