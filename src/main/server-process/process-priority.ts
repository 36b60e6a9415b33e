// Owns the CPU priority of the embedded server's process (both shells: the browser host's child, Electron's
// utilityProcess): below the process that runs the core, so the user's own windows get the CPU first.
import fs from 'node:fs'
import os from 'node:os'

/**
 * The server process runs at this lower priority than the core's process (nice on Linux and macOS; the same level as
 * the store worker's thread). On the user's own machine the UI's responsiveness matters more than the embedded
 * server's latency: when the cores are busy (a long catch-up, a search), the scheduler serves the core first.
 */
export const SERVER_PROCESS_NICE = 10

/** The level os.setPriority takes for the process: nice 10 on POSIX, BELOW_NORMAL on Windows. */
export function serverProcessPriority(platform: NodeJS.Platform = process.platform): number {
  return platform === 'win32' ? os.constants.priority.PRIORITY_BELOW_NORMAL : SERVER_PROCESS_NICE
}

/**
 * The thread ids of a Linux process (/proc/<pid>/task): there the nice value is per thread, so each thread the
 * process has already started is lowered too (threads it starts later inherit the value of the thread starting them).
 */
function linuxThreadIds(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .map(Number)
      .filter((tid) => Number.isInteger(tid) && tid > 0)
  } catch {
    return [pid]
  }
}

/**
 * Lowers a process's CPU priority (every thread of it on Linux). Best effort: a process that is gone, or a system that
 * refuses, leaves it at the normal priority, where it works the same. Lowering only ever needs no privilege.
 */
export function lowerProcessPriority(pid: number, platform: NodeJS.Platform = process.platform): void {
  const priority = serverProcessPriority(platform)
  const targets = platform === 'linux' ? linuxThreadIds(pid) : [pid]
  for (const target of targets) {
    try {
      os.setPriority(target, priority)
    } catch {
      // Gone or refused: see above.
    }
  }
}
