// Owns the embedded server's log file in the app's log folder: what its process writes on stdout and stderr,
// appended to server.log, which is rotated to server.1.log when it passes a size cap (two files at most).
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Readable } from 'node:stream'

export const SERVER_LOG_FILE = 'server.log'
export const SERVER_LOG_PREVIOUS_FILE = 'server.1.log'
/** Size at which the log rotates: days of an idle server's lines, and at most twice this on disk. */
export const SERVER_LOG_MAX_BYTES = 5 * 1024 * 1024

export class ServerLogFile {
  readonly path: string
  private size: number

  constructor(
    readonly dir: string,
    private readonly maxBytes: number = SERVER_LOG_MAX_BYTES
  ) {
    mkdirSync(dir, { recursive: true })
    this.path = join(dir, SERVER_LOG_FILE)
    try {
      this.size = statSync(this.path).size
    } catch {
      this.size = 0
    }
  }

  /** Appends a chunk (synchronously: a few lines at a time, and nothing is lost when the app exits right after). */
  write(chunk: string | Uint8Array): void {
    const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
    if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate()
    try {
      appendFileSync(this.path, chunk)
      this.size += bytes
    } catch {
      // A log that cannot be written must not take the app down.
    }
  }

  /** A line of the parent's own (started, restarted, stopped), with the time. */
  note(line: string): void {
    this.write(`${new Date().toISOString()} [app] ${line}\n`)
  }

  /** Copies a child's output stream into the file. */
  follow(stream: Readable | NodeJS.ReadableStream | null | undefined): void {
    stream?.on('data', (chunk: string | Uint8Array) => this.write(chunk))
  }

  private rotate(): void {
    try {
      rmSync(join(this.dir, SERVER_LOG_PREVIOUS_FILE), { force: true })
      renameSync(this.path, join(this.dir, SERVER_LOG_PREVIOUS_FILE))
    } catch {
      // Rotation failed: keep appending to the current file rather than lose lines.
    }
    this.size = 0
  }
}
