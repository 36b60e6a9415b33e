// Owns sending one tab's bridge messages without holding the host's event loop: in order, at most SLICE_BUDGET_MS of
// serialising and writing per turn of the loop, the rest after it has turned. A catch-up of 100,000 messages pushes
// 100,000 events; written in one go they stalled the process that runs the core for hundreds of ms (bench:ui).

/** Serialising and writing per turn of the event loop: well under the 50 ms a stall may take, most of a frame. */
export const SLICE_BUDGET_MS = 8

export interface PacedSender {
  send(message: unknown): void
  /** Drops what is still queued (the socket closed). */
  clear(): void
  /** Messages waiting for the next turn (tests, diagnostics). */
  readonly queued: number
}

export function createPacedSender(write: (text: string) => void, now: () => number = () => performance.now()): PacedSender {
  const queue: unknown[] = []
  let head = 0
  /** When this turn's slice started; null between turns. */
  let sliceStart: number | null = null
  let turn: NodeJS.Immediate | null = null

  const withinSlice = (): boolean => sliceStart !== null && now() - sliceStart < SLICE_BUDGET_MS

  const nextTurn = (): void => {
    turn = null
    sliceStart = now()
    while (head < queue.length && withinSlice()) write(JSON.stringify(queue[head++]))
    if (head === queue.length) {
      queue.length = 0
      head = 0
    }
    // Once more after this turn: the slice ends there (and what is left goes out then).
    turn = setImmediate(endOrContinue)
  }

  const endOrContinue = (): void => {
    if (head < queue.length) nextTurn()
    else {
      turn = null
      sliceStart = null
    }
  }

  return {
    send(message) {
      if (head === queue.length) {
        if (sliceStart === null) {
          sliceStart = now()
          turn ??= setImmediate(endOrContinue)
        }
        if (withinSlice()) {
          write(JSON.stringify(message))
          return
        }
      }
      queue.push(message)
      turn ??= setImmediate(endOrContinue)
    },
    clear() {
      queue.length = 0
      head = 0
      if (turn) clearImmediate(turn)
      turn = null
      sliceStart = null
    },
    get queued() {
      return queue.length - head
    }
  }
}
