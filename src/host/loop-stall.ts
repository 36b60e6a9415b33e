// Owns measuring the event-loop stall of the process that runs the core (the browser host, Electron main's stand-in
// in tests and bench:ui): a perf_hooks event-loop delay histogram, and a host-only debug route that reads it.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram, type PerformanceEntry } from 'node:perf_hooks'
import { tokenMatches } from './security'

/** Set to 1 to enable the debug route (bench:ui sets it when it spawns the host; nothing else should). */
export const LOOP_STALL_ENV = 'PARLEY_DEBUG_LOOP_STALL'
/** GET <host>/debug/loop-stall?token=<host token>[&reset=1]: the reading as JSON (reset=1 starts a new window after it). */
export const LOOP_STALL_ROUTE = '/debug/loop-stall'
/**
 * Sampling resolution of the histogram. It records the time between its samples, resolution included (idle, every
 * sample reads about this much), so its max is a block's length plus up to this: at 10 ms a 42 ms block read as 52.
 * At 1 ms the max is the block's length to within a millisecond. The timer is libuv's, in C++, so 1,000 samples a
 * second cost the loop no JavaScript.
 */
const HISTOGRAM_RESOLUTION_MS = 1
/** Period of the ticker that tells when the longest stalls began (JavaScript, so coarser than the histogram). */
const TICKER_PERIOD_MS = 10
const NS_PER_MS = 1e6
/** How many of the window's longest stalls (and GC pauses) a reading lists, to tell what caused the largest. */
const WORST_KEPT = 5

/** A stall or GC pause: when it started (ms on the process's performance clock) and how long it lasted. */
export interface TimedPause {
  atMs: number
  ms: number
  /** For a GC pause: which collection it was (a scavenge and a mark-compact have different causes and cures). */
  kind?: GcKind
}

export type GcKind = 'minor' | 'major' | 'incremental' | 'weakcb' | 'other'

/** The collection kind of a `gc` performance entry (its detail.kind is one of perf_hooks' NODE_PERFORMANCE_GC_* bits). */
function gcKindOf(entry: PerformanceEntry): GcKind {
  const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind
  switch (kind) {
    case perfConstants.NODE_PERFORMANCE_GC_MINOR:
      return 'minor'
    case perfConstants.NODE_PERFORMANCE_GC_MAJOR:
      return 'major'
    case perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL:
      return 'incremental'
    case perfConstants.NODE_PERFORMANCE_GC_WEAKCB:
      return 'weakcb'
    default:
      return 'other'
  }
}

/** Keeps the `WORST_KEPT` longest pauses. */
function keepWorst(list: TimedPause[], pause: TimedPause): void {
  if (list.length === WORST_KEPT && (list.at(-1)?.ms ?? 0) >= pause.ms) return
  list.push({ ...pause, atMs: Math.round(pause.atMs), ms: Math.round(pause.ms * 10) / 10 })
  list.sort((a, b) => b.ms - a.ms)
  list.length = Math.min(list.length, WORST_KEPT)
}

export interface LoopStallReading {
  /** The largest event-loop delay seen in the window, ms (bench:ui's `mainLoopMaxStallMs`). */
  maxStallMs: number
  p99Ms: number
  meanMs: number
  /** How long the window has run, ms. */
  windowMs: number
  /** Samples in the window (0: nothing measured yet). */
  samples: number
  /** The window's longest stalls seen by the ticker, longest first. */
  worstStalls: TimedPause[]
  /** The window's longest garbage-collection pauses, longest first (a stall that matches one was the collector). */
  worstGcPauses: TimedPause[]
}

export class LoopStallMonitor {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: HISTOGRAM_RESOLUTION_MS })
  private windowStart = performance.now()
  private running = false
  /**
   * The histogram drops its first sample after reset(), so a stall that starts right after a reset (with no turn of
   * the loop between) would go unseen: a timer of our own, whose previous tick survives resets, sees it.
   */
  private ticker: NodeJS.Timeout | null = null
  private lastTick = 0
  private tickerMaxMs = 0
  private worstStalls: TimedPause[] = []
  private worstGcPauses: TimedPause[] = []
  private readonly gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) keepWorst(this.worstGcPauses, { atMs: entry.startTime, ms: entry.duration, kind: gcKindOf(entry) })
  })

  start(): this {
    if (this.running) return this
    this.histogram.enable()
    this.gcObserver.observe({ entryTypes: ['gc'] })
    this.lastTick = performance.now()
    this.ticker = setInterval(() => {
      const now = performance.now()
      const stalled = now - this.lastTick - TICKER_PERIOD_MS
      this.tickerMaxMs = Math.max(this.tickerMaxMs, stalled)
      if (stalled > TICKER_PERIOD_MS) keepWorst(this.worstStalls, { atMs: this.lastTick, ms: stalled })
      this.lastTick = now
    }, TICKER_PERIOD_MS)
    this.ticker.unref()
    this.running = true
    return this
  }

  stop(): void {
    if (!this.running) return
    this.histogram.disable()
    this.gcObserver.disconnect()
    if (this.ticker) clearInterval(this.ticker)
    this.ticker = null
    this.running = false
  }

  /** The window since start() or the last reset(). */
  read(): LoopStallReading {
    const samples = this.histogram.count
    const ms = (ns: number): number => (samples > 0 && Number.isFinite(ns) ? Math.round((ns / NS_PER_MS) * 10) / 10 : 0)
    const stalledNow = this.running ? performance.now() - this.lastTick - TICKER_PERIOD_MS : 0
    return {
      maxStallMs: Math.max(ms(this.histogram.max), Math.round(Math.max(this.tickerMaxMs, stalledNow, 0) * 10) / 10),
      p99Ms: ms(this.histogram.percentile(99)),
      meanMs: ms(this.histogram.mean),
      windowMs: Math.round(performance.now() - this.windowStart),
      samples,
      worstStalls: [...this.worstStalls],
      worstGcPauses: [...this.worstGcPauses]
    }
  }

  /** Starts a new window (a benchmark resets before the phase it measures). */
  reset(): void {
    this.histogram.reset()
    this.tickerMaxMs = 0
    this.worstStalls = []
    this.worstGcPauses = []
    this.windowStart = performance.now()
  }
}

/** The process's monitor when the debug route is enabled by LOOP_STALL_ENV, else null (nothing is measured). */
export function loopStallMonitorFromEnv(env: NodeJS.ProcessEnv = process.env): LoopStallMonitor | null {
  return env[LOOP_STALL_ENV] === '1' ? new LoopStallMonitor().start() : null
}

/**
 * Answers the debug route (true when the request was it): the host's token is required, as for everything else the
 * host serves that is not the page itself. Other paths are left to the caller (false).
 */
export function serveLoopStall(req: IncomingMessage, res: ServerResponse, monitor: LoopStallMonitor, token: string, headers: Record<string, string>): boolean {
  const url = new URL(req.url ?? '/', 'http://host.invalid')
  if (url.pathname !== LOOP_STALL_ROUTE) return false
  if (req.method !== 'GET' || !tokenMatches(token, url.searchParams.get('token'))) {
    res.writeHead(403, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
    res.end('Forbidden')
    return true
  }
  const reading = monitor.read()
  if (url.searchParams.get('reset') === '1') monitor.reset()
  res.writeHead(200, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end(JSON.stringify(reading))
  return true
}

/**
 * For bench:ui (another process): reads the host's stall window over HTTP. `hostUrl` is the address the host prints
 * (http://127.0.0.1:<port>/?token=...); `reset` starts a new window after this reading.
 */
export async function fetchLoopStall(hostUrl: string, options: { reset?: boolean } = {}): Promise<LoopStallReading> {
  const printed = new URL(hostUrl)
  const url = new URL(LOOP_STALL_ROUTE, printed.origin)
  url.searchParams.set('token', printed.searchParams.get('token') ?? '')
  if (options.reset) url.searchParams.set('reset', '1')
  const answer = await fetch(url)
  if (!answer.ok) throw new Error(`The host answered ${answer.status} for ${LOOP_STALL_ROUTE}: is ${LOOP_STALL_ENV}=1 set for it?`)
  return (await answer.json()) as LoopStallReading
}
