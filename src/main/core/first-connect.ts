// Owns the wait for a new session's first connection outcome: authenticated, refused, unreachable or slow.
// Sign-in waits for a refusal or success; resuming a saved session also settles as soon as the server is unreachable.
import { AppError } from '../../shared/errors'
import type { AuthInfo, Connection } from './net/connection'

export type FirstConnectOutcome = 'online' | 'unreachable' | 'timeout'

export interface FirstConnectOptions {
  /** Give up waiting (not an error) after this long; the connection keeps trying in the background. */
  waitMs: number
  /** Settle as 'unreachable' on the first failed attempt instead of waiting for the timeout. */
  settleWhenUnreachable: boolean
  /** Runs on the first auth; its rejection fails the wait (e.g. the token belongs to someone else). */
  onOnline: (info: AuthInfo) => Promise<void>
}

/** Starts the connection. Rejects with an AppError only when the server refuses the session. */
export function startAndAwaitFirstConnect(connection: Connection, options: FirstConnectOptions): Promise<FirstConnectOutcome> {
  return new Promise<FirstConnectOutcome>((resolve, reject) => {
    const offs = [
      connection.on('online', (info) => {
        cleanup()
        options.onOnline(info).then(() => resolve('online'), reject)
      }),
      connection.on('ended', (ended) => {
        cleanup()
        reject(new AppError(ended.code, ended.reason))
      }),
      connection.on('status', (status) => {
        if (!options.settleWhenUnreachable || status.state !== 'reconnecting') return
        cleanup()
        resolve('unreachable')
      })
    ]
    const giveUp = setTimeout(() => {
      cleanup()
      resolve('timeout')
    }, options.waitMs)
    const cleanup = (): void => {
      clearTimeout(giveUp)
      for (const off of offs) off()
    }
    connection.start()
  })
}
