// Owns measuring the bus's lag: every node publishes its clock on a probe channel now and then; the others record
// how late each probe arrived (a histogram in /metrics). Nothing else depends on it: a lost probe is just a gap.
import type { ClusterBus } from './bus'

/** How often a node publishes a probe: often enough to see an outage's lag, cheap for Redis. */
export const BUS_LAG_PROBE_INTERVAL_MS = 5_000
/** The probe's channel (the bus adds its prefix). */
export const BUS_LAG_CHANNEL = 'ops:lag'
const TIMESTAMP_BYTES = 8

/** Starts probing; returns the stop function. `observe` gets the lag in seconds of each other node's probe. */
export function startBusLagProbe(bus: ClusterBus, observe: (seconds: number) => void, intervalMs = BUS_LAG_PROBE_INTERVAL_MS): () => void {
  const unsubscribe = bus.subscribe(BUS_LAG_CHANNEL, (payload) => {
    if (payload.length !== TIMESTAMP_BYTES) return
    const sentAt = payload.readDoubleBE(0)
    observe((Date.now() - sentAt) / 1000)
  })
  const timer = setInterval(() => {
    const payload = Buffer.alloc(TIMESTAMP_BYTES)
    payload.writeDoubleBE(Date.now(), 0)
    bus.publish(BUS_LAG_CHANNEL, payload)
  }, intervalMs)
  timer.unref()
  return () => {
    clearInterval(timer)
    unsubscribe()
  }
}
