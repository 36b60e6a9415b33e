// The app's core (a CoreSession with a file vault, as the desktop app runs it) in a child process for the token
// rotation crash test: signs in and sends; the save of a renewed token never finishes (the disk or keychain is slow
// as the app closes) and the parent SIGKILLs the process in that moment.
import { CoreSession } from '../../../src/main/core/api/session'
import { FileSessionVault, type SavedSession } from '../../../src/main/core/api/session-vault'
import type { InvokeReply } from '../../../src/shared/ipc/contract'

export interface RenewingAppArgs {
  serverUrl: string
  deviceId: string
  dataDir: string
  vaultFile: string
  user: string
  password: string
  peer: string
}

export type RenewingAppReport =
  | { kind: 'signed-in'; token: string }
  /** The renewed token is being saved (and never will be); `stored` = the message sent meanwhile is in the outbox. */
  | { kind: 'saving'; token: string }
  | { kind: 'stored'; text: string }
  | { kind: 'error'; error: string }

function report(message: RenewingAppReport): void {
  process.send?.(message)
}

/** Saves the sign-in at sign-in; the next save (a renewed token) hangs until the process is killed. */
class StallingVault extends FileSessionVault {
  private saves = 0
  override save(session: SavedSession): Promise<void> {
    this.saves += 1
    if (this.saves === 1) return super.save(session)
    report({ kind: 'saving', token: session.token })
    return new Promise<void>(() => undefined)
  }
}

async function call(session: CoreSession, method: string, args?: unknown): Promise<unknown> {
  const reply: InvokeReply = await session.invoke(method, args)
  if (!reply.ok) throw new Error(`${method} failed: ${reply.error.code} ${reply.error.message}`)
  return reply.result
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as RenewingAppArgs
  const vault = new StallingVault(args.vaultFile)
  const session = new CoreSession({
    shell: 'electron',
    version: 'test',
    defaultServerUrl: args.serverUrl,
    deviceId: args.deviceId,
    dataDir: args.dataDir,
    settingsFile: null,
    vault
  })
  await call(session, 'auth.login', { username: args.user, password: args.password })
  await call(session, 'messages.sendText', { to: { type: 'single', id: args.peer }, text: 'before the renewal' })
  const saved = await new FileSessionVault(args.vaultFile).load()
  report({ kind: 'signed-in', token: saved?.token ?? '' })
  process.on('message', (raw) => {
    const text = (raw as { send?: string }).send
    if (!text) return
    call(session, 'messages.sendText', { to: { type: 'single', id: args.peer }, text }).then(
      () => report({ kind: 'stored', text }),
      (err: unknown) => report({ kind: 'error', error: String(err) })
    )
  })
}

main().catch((err: unknown) => {
  report({ kind: 'error', error: String(err) })
  process.exit(1)
})
