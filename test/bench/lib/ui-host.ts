// bench:ui's browser host child: the real host (src/host startHost) with a saved sign-in per tab (the session vault
// the Electron shell uses), so a restarted host resumes the seeded device without a sign-in form, and an event-loop
// delay monitor for the process that runs the core. Talks to the bench over the fork IPC channel.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { startHost } from '../../../src/host/index'
import { FileSessionVault } from '../../../src/main/core/api/session-vault'

/** Sampling step of the delay monitor: fine enough to see a 50 ms stall to within a few ms. */
const LOOP_RESOLUTION_MS = 5

export type HostToBench =
  | { kind: 'ready'; url: string }
  | { kind: 'stall'; maxMs: number; p99Ms: number }
export type BenchToHost = { kind: 'stall-reset' } | { kind: 'stall-read' } | { kind: 'stop' }

function required(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`bench ui-host: ${name} is not set`)
  return value
}

function send(message: HostToBench): void {
  process.send?.(message)
}

async function main(): Promise<void> {
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS })
  loop.enable()
  const host = await startHost({
    port: 0,
    rendererDir: required('BENCH_UI_RENDERER_DIR'),
    dataDir: required('BENCH_UI_WEB_DIR'),
    defaultServerUrl: required('BENCH_UI_SERVER_URL'),
    version: 'bench',
    sessionOverrides: { vault: new FileSessionVault(required('BENCH_UI_VAULT_FILE')) }
  })
  process.on('message', (message: BenchToHost) => {
    if (message.kind === 'stall-reset') loop.reset()
    else if (message.kind === 'stall-read') {
      send({ kind: 'stall', maxMs: loop.max / 1e6 - LOOP_RESOLUTION_MS, p99Ms: loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS })
    } else if (message.kind === 'stop') {
      void host.close().finally(() => process.exit(0))
    }
  })
  send({ kind: 'ready', url: host.url })
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
