// Owns staging: a file the renderer holds (picker, paste, drop, a recorded voice) copied chunk by chunk into the
// account's outbox folder, checked as it comes (declared size, the server's limit, chunks in order) and hashed.
import { createHash, randomBytes, type Hash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { open, readdir, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { AppError } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import { MAX_OPEN_STAGINGS, MAX_STAGE_CHUNK_BYTES } from './config'

const log = createLogger('core:staging')

const STAGED_ID_BYTES = 16
const STAGED_ID_PATTERN = /^[0-9a-f]{32}$/

/** A staged file, complete and hashed: what messages.sendAttachment turns into an upload. */
export interface StagedFile {
  stagedId: string
  /** File name inside the outbox folder (the staged id: never a name from the renderer). */
  fileName: string
  name: string
  mime: string
  size: number
  sha256: string
}

interface OpenStaging {
  name: string
  mime: string
  size: number
  written: number
  hash: Hash
  handle: FileHandle
  /** Chunks are written one after another even if a renderer sends the next before the last resolved. */
  chain: Promise<unknown>
}

/** A file name as the user sees it: no folders, no control characters, not empty. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255)
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned
}

export class Staging {
  private readonly open = new Map<string, OpenStaging>()
  private readonly finished = new Map<string, StagedFile>()

  constructor(
    /** The account's outbox folder. */
    readonly dir: string,
    /** The upload limit as last learned from the server (or the default). */
    private readonly maxBytes: () => number
  ) {}

  async begin(args: { name: string; mime: string; size: number }): Promise<string> {
    const limit = this.maxBytes()
    if (!Number.isSafeInteger(args.size) || args.size < 0) throw new AppError('BAD_ARGUMENT', 'The file size is not valid.')
    if (args.size > limit) {
      throw new AppError('TOO_LARGE', `This file is too large to send: the limit is ${Math.floor(limit / (1024 * 1024))} MB.`, {
        params: { limitBytes: limit }
      })
    }
    if (this.open.size >= MAX_OPEN_STAGINGS) throw new AppError('LIMIT_EXCEEDED', 'Too many files are being attached at once. Wait for some to finish.')
    mkdirSync(this.dir, { recursive: true })
    const stagedId = randomBytes(STAGED_ID_BYTES).toString('hex')
    const handle = await open(join(this.dir, stagedId), 'w')
    this.open.set(stagedId, {
      name: cleanFileName(args.name),
      mime: args.mime.trim().toLowerCase().slice(0, 255) || 'application/octet-stream',
      size: args.size,
      written: 0,
      hash: createHash('sha256'),
      handle,
      chain: Promise.resolve()
    })
    return stagedId
  }

  async chunk(args: { stagedId: string; offset: number; bytes: Uint8Array }): Promise<void> {
    const staging = this.openStaging(args.stagedId)
    const run = staging.chain.then(async () => {
      if (args.bytes.length > MAX_STAGE_CHUNK_BYTES) throw new AppError('BAD_ARGUMENT', 'A piece of the file is larger than allowed.')
      if (args.offset !== staging.written) {
        throw new AppError('BAD_ARGUMENT', `The pieces of the file came out of order (expected offset ${staging.written}, got ${args.offset}).`)
      }
      if (staging.written + args.bytes.length > staging.size) throw new AppError('BAD_ARGUMENT', 'The file is larger than its declared size.')
      await staging.handle.write(args.bytes, 0, args.bytes.length, staging.written)
      staging.hash.update(args.bytes)
      staging.written += args.bytes.length
    })
    staging.chain = run.catch(() => undefined)
    await run
  }

  async end(stagedId: string): Promise<StagedFile> {
    const staging = this.openStaging(stagedId)
    await staging.chain
    this.open.delete(stagedId)
    await staging.handle.close()
    if (staging.written !== staging.size) {
      await rm(join(this.dir, stagedId), { force: true })
      throw new AppError('BAD_ARGUMENT', `The file ended after ${staging.written} of its ${staging.size} bytes. Attach it again.`)
    }
    const staged: StagedFile = {
      stagedId,
      fileName: stagedId,
      name: staging.name,
      mime: staging.mime,
      size: staging.size,
      sha256: staging.hash.digest('hex')
    }
    this.finished.set(stagedId, staged)
    return staged
  }

  /** A finished staged file, handed over once (sendAttachment records it with the message). */
  take(stagedId: string): StagedFile {
    const staged = STAGED_ID_PATTERN.test(stagedId) ? this.finished.get(stagedId) : undefined
    if (!staged) throw new AppError('NOT_FOUND', 'That attached file is not ready (or was already sent). Attach it again.')
    this.finished.delete(stagedId)
    return staged
  }

  /** Puts back a file taken by a send that could not be stored, so it can be sent again. */
  giveBack(staged: StagedFile): void {
    this.finished.set(staged.stagedId, staged)
  }

  /** Removes files of the outbox folder that nothing refers to (left by a crash while staging or an abandoned attach). */
  async removeLeftovers(referenced: ReadonlySet<string>): Promise<void> {
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch {
      return // no folder yet
    }
    for (const name of names) {
      if (referenced.has(name) || this.open.has(name) || this.finished.has(name)) continue
      await rm(join(this.dir, name), { force: true }).catch((err: unknown) => log.warn('could not remove a leftover staged file', { error: String(err) }))
    }
  }

  /** Closes what is still open (the session ends); their files are leftovers for the next start. */
  async close(): Promise<void> {
    for (const staging of this.open.values()) await staging.handle.close().catch(() => undefined)
    this.open.clear()
  }

  private openStaging(stagedId: string): OpenStaging {
    const staging = STAGED_ID_PATTERN.test(stagedId) ? this.open.get(stagedId) : undefined
    if (!staging) throw new AppError('NOT_FOUND', 'That file is not being attached any more. Attach it again.')
    return staging
  }
}
