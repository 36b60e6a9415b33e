// Owns what this node has pushed of one log (a user's or a group's): everything up to a floor, and the seqs above
// it, so a re-check after a lost wake-up pushes exactly the entries this node has not pushed yet.

/**
 * Seqs kept above the floor at most. Some entries are never pushed (nobody online when appended elsewhere, an
 * entry kind nobody is told about live); past this many the floor jumps to the highest and devices cover the rest
 * with their own catch-up (a push with a gap).
 */
export const MAX_SEQS_ABOVE_FLOOR = 4_096

export class LogTracker {
  /** Every entry up to here was pushed (or predates this node serving the log); null until read from the store. */
  private floor: number | null = null
  /** The head when this node started serving the log: pushes at or below it may not have reached the devices. */
  private startFloor: number | null = null
  private readonly above = new Set<number>()

  /** The highest seq up to which nothing is missing (0 while the floor is unknown). */
  get safeFloor(): number {
    return this.floor ?? 0
  }

  get floorKnown(): boolean {
    return this.floor !== null
  }

  /** This node pushed the entry `seq` to its sockets. */
  pushed(seq: number): void {
    if (seq <= 0 || (this.floor !== null && seq <= this.floor)) return
    this.above.add(seq)
    this.settle()
  }

  /** The log's head when this node started serving it: devices synced up to there themselves. */
  startAt(head: number): void {
    this.startFloor = head
    this.raiseFloor(head)
  }

  /**
   * Whether this node already pushed the entry (a re-check got there before the live push): the live push is then
   * skipped. Entries at or below the starting head are never skipped, as the device may have synced before them.
   */
  alreadyPushed(seq: number): boolean {
    if (this.floor === null || this.startFloor === null || seq <= this.startFloor) return false
    return seq <= this.floor || this.above.has(seq)
  }

  /** Whether the entry must still be pushed by a re-check. */
  isMissing(seq: number): boolean {
    return this.floor !== null && seq > this.floor && !this.above.has(seq)
  }

  /** A re-check pushed (or found pushed) everything up to `head`. */
  raiseFloor(head: number): void {
    this.floor = Math.max(this.floor ?? 0, head)
    for (const seq of this.above) if (seq <= this.floor) this.above.delete(seq)
    this.settle()
  }

  private settle(): void {
    if (this.floor === null) {
      // The head could not be read: keep no more than the bound (the devices' own catch-up covers the rest).
      if (this.above.size > MAX_SEQS_ABOVE_FLOOR) this.above.clear()
      return
    }
    while (this.above.delete(this.floor + 1)) this.floor++
    if (this.above.size > MAX_SEQS_ABOVE_FLOOR) this.raiseFloor(Math.max(...this.above))
  }
}
