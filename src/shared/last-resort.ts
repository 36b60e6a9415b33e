// A process-wide last line of defence for long-running Node processes (server, browser host, Electron main):
// a promise rejection nobody handled is logged instead of ending the process.
import type { Logger } from './logger'

export function logUnhandledRejections(log: Logger): void {
  process.on('unhandledRejection', (reason: unknown) => {
    log.error('unhandled promise rejection (kept running)', {
      error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)
    })
  })
}
