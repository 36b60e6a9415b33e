// Owns when a connection's TCP stream is held (corked) so several frames leave in one syscall: to the end of the
// current tick for direct writes, or exactly around a batch, so a fan-out slice pays its syscalls inside its budget.

/** What the cork needs of the stream under the WebSocket (a net.Socket). */
export interface CorkableTransport {
  cork(): void
  uncork(): void
}

export class TransportCork {
  private held = false

  constructor(private readonly transport?: CorkableTransport) {}

  /**
   * Holds the stream until the current tick ends: one commit acks many senders and pushes to many recipients at once,
   * and a device often gets its ack and a peer's message in the same tick; they then leave in one syscall.
   */
  holdUntilTickEnds(): void {
    if (!this.transport || this.held) return
    this.held = true
    this.transport.cork()
    process.nextTick(() => {
      this.held = false
      this.transport?.uncork()
    })
  }

  /**
   * Runs `write` with the stream held and releases it when `write` returns, so the batch's one syscall happens here.
   * A fan-out slice measures its time around this call: were the release left to the end of the tick, the syscalls
   * of every connection in the slice would run after the slice's budget check, making a 0.5 ms slice 10-20 ms long.
   */
  batch(write: () => void): void {
    if (!this.transport || this.held) {
      write()
      return
    }
    this.held = true
    this.transport.cork()
    try {
      write()
    } finally {
      this.held = false
      this.transport.uncork()
    }
  }
}
