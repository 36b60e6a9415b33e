// Owns the order and pacing of what a connection is sent: one FIFO per connection for frames a fan-out deferred, and
// one scheduler per gateway that writes those FIFOs out in short slices so a big fan-out never holds the event loop.
import { performance } from 'node:perf_hooks'
import { OUTBOUND_SLICE_MS } from '../config'

/** An encoded frame, or a step to run once every frame before it has been written (a confirming ping). */
export type OutboundItem = Uint8Array | (() => void)

/** What the scheduler needs of a connection with deferred frames. */
export interface OutboundWriter {
  /** Writes every deferred item of the connection, in order. */
  flushDeferred(): void
}

/**
 * Writes deferred frames in slices of OUTBOUND_SLICE_MS, yielding to I/O between slices (setImmediate). A group's
 * message to 2,000 online devices costs one socket write each (a syscall, ~10–15 µs on loopback): written in one go
 * that is 20–30 ms during which no 1:1 send is read, committed or acknowledged. Connections are served in the order
 * they were first given deferred frames, so every fan-out reaches its first recipients first.
 */
export class OutboundScheduler {
  /** Insertion-ordered: the connections waiting for their deferred frames to be written. */
  private readonly ready = new Set<OutboundWriter>()
  private scheduled = false
  private slices = 0

  /** The writer has deferred items: it is served in a coming slice (once, however many items it gathers). */
  markReady(writer: OutboundWriter): void {
    this.ready.add(writer)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.drain)
    }
  }

  /** The connection went away: nothing is owed to it. */
  forget(writer: OutboundWriter): void {
    this.ready.delete(writer)
  }

  /** Connections with deferred frames not yet written (diagnostics, tests). */
  get waiting(): number {
    return this.ready.size
  }

  /** Slices run since start (tests: a large fan-out takes more than one). */
  get slicesRun(): number {
    return this.slices
  }

  private readonly drain = (): void => {
    this.scheduled = false
    this.slices++
    const deadline = performance.now() + OUTBOUND_SLICE_MS
    for (const writer of this.ready) {
      this.ready.delete(writer)
      writer.flushDeferred()
      if (performance.now() >= deadline) break
    }
    if (this.ready.size > 0 && !this.scheduled) {
      this.scheduled = true
      setImmediate(this.drain)
    }
  }
}

/**
 * One connection's FIFO of deferred items. While it holds anything, every frame for the connection (an ack, a
 * membership event, a confirming ping) joins the end of it instead of being written at once, so the device receives
 * everything in the order the server produced it.
 */
export class OutboundQueue implements OutboundWriter {
  private items: OutboundItem[] = []
  private bytes = 0

  constructor(
    private readonly scheduler: OutboundScheduler,
    /** Writes one encoded frame to the socket now. */
    private readonly writeNow: (bytes: Uint8Array) => void,
    /** Holds the socket's writes while a batch is written, so they leave in as few syscalls as possible. */
    private readonly batch: (write: () => void) => void
  ) {}

  /** Bytes deferred and not yet handed to the socket. */
  get deferredBytes(): number {
    return this.bytes
  }

  get isEmpty(): boolean {
    return this.items.length === 0
  }

  /** Defers `item` behind everything already deferred; a slice of the scheduler writes it. */
  defer(item: OutboundItem): void {
    this.items.push(item)
    if (typeof item !== 'function') this.bytes += item.length
    if (this.items.length === 1) this.scheduler.markReady(this)
  }

  /** Writes `item` now when nothing is deferred (the usual case), else behind what is. */
  sendInOrder(item: OutboundItem): void {
    if (this.items.length > 0) {
      this.defer(item)
      return
    }
    if (typeof item === 'function') item()
    else this.writeNow(item)
  }

  flushDeferred(): void {
    if (this.items.length === 0) return
    const items = this.items
    this.items = []
    this.bytes = 0
    this.scheduler.forget(this)
    this.batch(() => {
      for (const item of items) {
        if (typeof item === 'function') item()
        else this.writeNow(item)
      }
    })
  }

  /** The connection closed: drop what was deferred (the device catches up with sync after reconnecting). */
  clear(): void {
    this.items = []
    this.bytes = 0
    this.scheduler.forget(this)
  }
}
