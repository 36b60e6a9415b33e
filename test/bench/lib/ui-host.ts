// bench:ui's browser host child: the real host (src/host startHost) with a saved sign-in per tab (the session vault
// the Electron shell uses), so a restarted host resumes the seeded device without a sign-in form. The event-loop
// stall is read from the host's own debug route (src/host/loop-stall.ts, PARLEY_DEBUG_LOOP_STALL=1 in its env).
// Talks to the bench over the fork IPC channel.
import { startHost } from '../../../src/host/index'
import { FileSessionVault } from '../../../src/main/core/api/session-vault'

export type HostToBench = { kind: 'ready'; url: string }
export type BenchToHost = { kind: 'stop' }

function required(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`bench ui-host: ${name} is not set`)
  return value
}

function send(message: HostToBench): void {
  process.send?.(message)
}

async function main(): Promise<void> {
  const host = await startHost({
    port: 0,
    rendererDir: required('BENCH_UI_RENDERER_DIR'),
    dataDir: required('BENCH_UI_WEB_DIR'),
    defaultServerUrl: required('BENCH_UI_SERVER_URL'),
    version: 'bench',
    sessionOverrides: { vault: new FileSessionVault(required('BENCH_UI_VAULT_FILE')) }
  })
  process.on('message', (message: BenchToHost) => {
    if (message.kind === 'stop') void host.close().finally(() => process.exit(0))
  })
  send({ kind: 'ready', url: host.url })
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
