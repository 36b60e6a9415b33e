// Owns `npm run soak -- --runs N --seed S`: runs the fault harness N times (seeds S, S+1, …) on one server session
// and prints ONE JSON line with the totals; per-run progress and each failing seed's examples go to stderr.
import { FAULT_KINDS, type FaultCounts } from './proxy'
import type { RunResult } from './scenario'

const DEFAULT_RUNS = 20
const DEFAULT_SEED = 1

function flag(name: string, fallback: number): number {
  const args = process.argv.slice(2)
  const inline = args.find((arg) => arg.startsWith(`${name}=`))
  const raw = inline ? inline.slice(name.length + 1) : args[args.indexOf(name) + 1]
  if (!args.includes(name) && !inline) return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} needs a whole number (got "${raw}")`)
  return value
}

async function main(): Promise<void> {
  // Loggers read PARLEY_LOG when their module loads: set the default before the harness is imported.
  process.env['PARLEY_LOG'] ??= 'error'
  const { FaultHarness } = await import('./scenario')
  const runs = flag('--runs', DEFAULT_RUNS)
  const seed = flag('--seed', DEFAULT_SEED)
  const messagesPerRun = flag('--messages', 0) || undefined
  const trace = process.argv.includes('--trace')
  const totals = {
    runs: 0,
    seed,
    messages: 0,
    acked: 0,
    lost: 0,
    duplicated: 0,
    reordered: 0,
    stuck: 0,
    failed: 0,
    diverged: 0,
    unreadMismatch: 0,
    stalePreview: 0,
    serverKills: 0,
    clientKills: 0,
    faults: Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as FaultCounts,
    failures: [] as number[],
    msPerRun: 0
  }
  const started = Date.now()
  const harness = await FaultHarness.open()
  try {
    for (let i = 0; i < runs; i++) {
      const result: RunResult = await harness.run({ seed: seed + i, messages: messagesPerRun })
      totals.runs += 1
      for (const key of ['messages', 'acked', 'lost', 'duplicated', 'reordered', 'stuck', 'failed', 'diverged', 'unreadMismatch', 'stalePreview', 'serverKills', 'clientKills'] as const) {
        totals[key] += result[key]
      }
      for (const kind of FAULT_KINDS) totals.faults[kind] += result.faults[kind]
      if (!result.clean) totals.failures.push(result.seed)
      process.stderr.write(
        `seed ${result.seed}: ${result.clean ? 'clean' : 'FAILED'} in ${result.durationMs} ms ` +
          `(set-up ${result.phasesMs.setUp}, traffic ${result.phasesMs.traffic}, settle ${result.phasesMs.settle}) — ${result.messages} messages, ` +
          `${result.frames} frames, ${Object.values(result.faults).reduce((a, b) => a + b, 0)} faults, ` +
          `lost ${result.lost}, duplicated ${result.duplicated}, reordered ${result.reordered}, stuck ${result.stuck}, ` +
          `failed ${result.failed}, diverged ${result.diverged}, unread ${result.unreadMismatch}, stale previews ${result.stalePreview}\n`
      )
      if (!result.clean) for (const line of [...result.examples, ...result.problems].slice(0, 8)) process.stderr.write(`    ${line}\n`)
      // A failing seed prints its trace at once: a rare timing failure may not come back on replay.
      if (trace || !result.clean) for (const line of result.trace) process.stderr.write(`    ${line}\n`)
    }
  } finally {
    await harness.close()
  }
  totals.msPerRun = Math.round((Date.now() - started) / Math.max(1, totals.runs))
  process.stdout.write(JSON.stringify(totals) + '\n')
  process.exitCode = totals.failures.length === 0 ? 0 : 1
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(2)
})
