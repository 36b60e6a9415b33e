// Owns the saved sign-in ("stay signed in"): what is kept to resume a session after a restart, and the file
// it lives in — optionally encrypted by the shell, written atomically with owner-only permissions.
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { AppError } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import { cleanGatewayAddresses } from '../net/gateway-list'

const log = createLogger('core:session-vault')

const FILE_MODE = 0o600
const DIR_MODE = 0o700
const FORMAT_VERSION = 1
const TEMP_SUFFIX_BYTES = 6
/** A saved file larger than this is not ours (a session is a few hundred bytes). */
const MAX_FILE_BYTES = 64 * 1024

export interface SavedSession {
  serverUrl: string
  user: string
  token: string
  /** ms since epoch */
  expiresAt: number
  deviceId: string
  /** Cluster mode: the login answer's gateway addresses and the one that last worked (absent: one server). */
  gateways?: string[]
  lastGoodGateway?: string | null
}

export interface SessionVault {
  /** The saved session, or null when there is none or it cannot be read (never throws). */
  load(): Promise<SavedSession | null>
  save(session: SavedSession): Promise<void>
  clear(): Promise<void>
}

/** Encryption provided by the shell (Electron safeStorage); both directions may throw. */
export interface SessionCipher {
  encrypt(plain: string): Buffer
  decrypt(data: Buffer): string
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

/** Parses the decrypted file; null when it is not a complete session of this format. */
export function parseSavedSession(text: string): SavedSession | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const v = value as Record<string, unknown>
  if (v.version !== FORMAT_VERSION) return null
  const { serverUrl, user, token, expiresAt, deviceId } = v
  if (!nonEmptyString(serverUrl) || !nonEmptyString(user) || !nonEmptyString(token) || !nonEmptyString(deviceId)) {
    return null
  }
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return null
  // Files written before the gateway list have none; a damaged list is dropped (the one server is used), not the file.
  const gateways = cleanGatewayAddresses(v.gateways)
  const lastGoodGateway = typeof v.lastGoodGateway === 'string' && gateways.includes(v.lastGoodGateway) ? v.lastGoodGateway : null
  return { serverUrl, user, token, expiresAt, deviceId, ...(gateways.length > 0 ? { gateways, lastGoodGateway } : {}) }
}

function isMissingFile(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT'
}

export class FileSessionVault implements SessionVault {
  /** Operations run one at a time, in call order, so a clear() after a save() always wins. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly path: string,
    private readonly cipher?: SessionCipher
  ) {}

  load(): Promise<SavedSession | null> {
    return this.enqueue(() => this.read())
  }

  save(session: SavedSession): Promise<void> {
    return this.enqueue(() => this.write(session))
  }

  clear(): Promise<void> {
    return this.enqueue(async () => {
      try {
        await unlink(this.path)
        log.info('saved sign-in removed')
      } catch (err) {
        if (isMissingFile(err)) return
        log.warn('could not remove the saved sign-in', { error: String(err) })
        throw new AppError('STORE_ERROR', 'Could not remove the saved sign-in from this device.', { cause: err })
      }
    })
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task)
    this.queue = next.catch(() => undefined)
    return next
  }

  private async read(): Promise<SavedSession | null> {
    let data: Buffer
    try {
      data = await readFile(this.path)
    } catch (err) {
      if (!isMissingFile(err)) log.warn('could not read the saved sign-in; signing in is needed', { error: String(err) })
      return null
    }
    if (data.byteLength === 0 || data.byteLength > MAX_FILE_BYTES) {
      log.warn('ignoring a saved sign-in of an unexpected size', { bytes: data.byteLength })
      return null
    }
    let text: string
    try {
      text = this.cipher ? this.cipher.decrypt(data) : data.toString('utf8')
    } catch (err) {
      // e.g. the OS keychain changed, or the file came from another machine.
      log.warn('could not decrypt the saved sign-in; signing in is needed', { error: String(err) })
      return null
    }
    const session = parseSavedSession(text)
    if (!session) log.warn('ignoring a corrupt saved sign-in')
    return session
  }

  private async write(session: SavedSession): Promise<void> {
    const { serverUrl, user, token, expiresAt, deviceId, gateways, lastGoodGateway } = session
    const text = JSON.stringify({ version: FORMAT_VERSION, serverUrl, user, token, expiresAt, deviceId, gateways, lastGoodGateway })
    const temp = `${this.path}.${randomBytes(TEMP_SUFFIX_BYTES).toString('hex')}.tmp`
    try {
      const data = this.cipher ? this.cipher.encrypt(text) : Buffer.from(text, 'utf8')
      await mkdir(dirname(this.path), { recursive: true, mode: DIR_MODE })
      const file = await open(temp, 'wx', FILE_MODE)
      try {
        await file.writeFile(data)
        await file.sync()
      } finally {
        await file.close()
      }
      await rename(temp, this.path)
    } catch (err) {
      await unlink(temp).catch(() => undefined)
      log.warn('could not save the sign-in', { error: String(err) })
      throw new AppError('STORE_ERROR', 'Could not save the sign-in on this device.', { cause: err })
    }
  }
}
