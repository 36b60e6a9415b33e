// Owns the messages between a shell and the embedded server's own process (Electron utilityProcess, a Node child
// in the browser host): how the child is configured, what it reports when listening or failing, how it is stopped.
import type { ServerOptions } from '../../server/options'

/** The environment variable that carries the child's configuration (JSON of ServerChildConfig). */
export const SERVER_CHILD_CONFIG_ENV = 'PARLEY_SERVER_CHILD_CONFIG'

/** What the server child runs with: the server's options (plain values: they cross a process boundary). */
export interface ServerChildConfig {
  options: Omit<ServerOptions, 'testHooks'>
  /** The first start only: when the port is taken, listen on a free one (a restart keeps its port or waits). */
  fallbackToFreePort: boolean
  /** The parent's pid: the child stops when it is gone (no orphan server holding the port and the database). */
  parentPid: number
}

/** Why the child could not start, as a code the parent acts on plus a sentence. */
export type ServerStartFailure = 'ADDRESS_IN_USE' | 'START_FAILED'

export type ServerChildMessage =
  | { type: 'listening'; url: string; port: number; createdPlatformCredential: string | null }
  | { type: 'start-failed'; code: ServerStartFailure; message: string }

export type ServerParentMessage = { type: 'stop' }

export function isServerChildMessage(value: unknown): value is ServerChildMessage {
  const type = (value as { type?: unknown } | null)?.type
  return type === 'listening' || type === 'start-failed'
}

/** Whether a listen failed because the port is taken (Node's EADDRINUSE, or its message from a wrapped error). */
export function isAddressInUse(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'EADDRINUSE' || (err instanceof Error && /EADDRINUSE|address already in use/i.test(err.message))
}

/** The one sentence the first start of a data folder prints (the credential is stored only as a hash). */
export function platformCredentialNotice(credential: string): string {
  return (
    `First start. Platform API app credential (shown only now; it is stored as a hash):\n\n  ${credential}\n\n` +
    'Use it as "Authorization: Bearer <credential>" on /api/platform/v1; rotate it with `npm run server -- rotate-credential`.'
  )
}
