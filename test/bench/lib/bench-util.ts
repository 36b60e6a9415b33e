// Owns the small helpers every benchmark uses: positive-integer settings from the environment, progress lines on
// stderr (stdout carries only the JSON result), a rounded percentile and a bounded-concurrency map.

export function envInt(name: string, fallback: number): number {
  const raw = Number(process.env[name])
  return Number.isInteger(raw) && raw > 0 ? raw : fallback
}

/** A progress logger for one bench: `[bench:<name>] message` on stderr. */
export function benchLog(name: string): (message: string) => void {
  return (message) => process.stderr.write(`[bench:${name}] ${message}\n`)
}

/** The p-th percentile of `values` (nearest rank), to 0.1; null when there are none. */
export function percentileOf(values: number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = Float64Array.from(values).sort()
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return Number((sorted[index] as number).toFixed(1))
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++
        results[index] = await fn(items[index] as T)
      }
    })
  )
  return results
}
