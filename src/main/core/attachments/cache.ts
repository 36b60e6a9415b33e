// Owns the account's download cache folder: file names for a message's files, what is cached (the store's
// attachment_cache rows), keeping the folder under its size cap (least recently used first), and forgetting files.
import { existsSync, mkdirSync, realpathSync } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { join, relative, isAbsolute } from 'node:path'
import { createLogger } from '../../../shared/logger'
import type { AttachmentWhich } from '../../../shared/model'
import type { AttachmentsStoreApi, CacheRecord } from '../store/attachments'
import type { Promised } from '../store/domain-apis'

const log = createLogger('core:cache')

const MESSAGE_ID = /^[0-9a-f]{32}$/

export class FileCache {
  constructor(
    readonly dir: string,
    private readonly store: Promised<AttachmentsStoreApi>,
    private readonly capBytes: number,
    private readonly now: () => number = Date.now
  ) {}

  /** The cached file's name for a message's file (message ids are 32 hex digits: never a name from the network). */
  fileName(messageId: string, which: AttachmentWhich): string {
    if (!MESSAGE_ID.test(messageId)) throw new Error('not a message id')
    return `${messageId}.${which}`
  }

  partPath(messageId: string, which: AttachmentWhich): string {
    this.ensureDir()
    return join(this.dir, `${this.fileName(messageId, which)}.part`)
  }

  ensureDir(): void {
    mkdirSync(this.dir, { recursive: true })
  }

  /** The complete cached file of a message, with its path checked to be inside the cache folder; null otherwise. */
  async complete(messageId: string, which: AttachmentWhich): Promise<(CacheRecord & { path: string }) | null> {
    if (!MESSAGE_ID.test(messageId)) return null
    const entry = await this.store.cacheEntry(messageId, which)
    if (!entry?.complete) return null
    const path = this.inside(entry.fileName)
    if (!path || !existsSync(path)) {
      await this.store.removeCacheEntry(messageId, which)
      return null
    }
    return { ...entry, path }
  }

  touch(messageId: string, which: AttachmentWhich): Promise<void> {
    return this.store.touchCacheEntry(messageId, which, this.now())
  }

  /** A verified download (or the sender's own staged copy) becomes the cached file; then the cap is kept. */
  async adopt(source: string, record: Omit<CacheRecord, 'fileName' | 'complete' | 'lastUsed'>, keep: ReadonlySet<string>): Promise<string> {
    this.ensureDir()
    const fileName = this.fileName(record.messageId, record.which)
    const target = join(this.dir, fileName)
    await rename(source, target)
    await this.store.putCacheEntry({ ...record, fileName, complete: true, lastUsed: this.now() })
    await this.evict(keep)
    return target
  }

  /** Removes the least recently used files until the cache is under its cap; `keep` (message.which keys) stays. */
  async evict(keep: ReadonlySet<string>): Promise<string[]> {
    let total = await this.store.cacheBytes()
    if (total <= this.capBytes) return []
    const evicted: string[] = []
    for (const entry of await this.store.cacheEntriesByAge()) {
      if (total <= this.capBytes) break
      const key = `${entry.messageId}.${entry.which}`
      if (keep.has(key)) continue
      await this.remove(entry)
      total -= entry.size
      evicted.push(key)
    }
    if (evicted.length > 0) log.info('evicted cached files beyond the cap', { count: evicted.length, capBytes: this.capBytes })
    return evicted
  }

  /** The bytes the cached files take (as recorded when each was adopted). */
  usedBytes(): Promise<number> {
    return this.store.cacheBytes()
  }

  /** Removes every cached file but `keep` (files in use); `onProgress` hears the count done of the total. The bytes freed. */
  async clear(keep: ReadonlySet<string>, onProgress?: (done: number, total: number) => void): Promise<number> {
    const entries = (await this.store.cacheEntriesByAge()).filter((entry) => !keep.has(`${entry.messageId}.${entry.which}`))
    let freed = 0
    for (const [index, entry] of entries.entries()) {
      await this.remove(entry)
      freed += entry.size
      onProgress?.(index + 1, entries.length)
    }
    log.info('cleared the download cache', { files: entries.length, bytes: freed })
    return freed
  }

  /** Drops every cached file of a message (recall, delete). */
  async forget(messageId: string): Promise<void> {
    if (!MESSAGE_ID.test(messageId)) return
    for (const entry of await this.store.cacheEntriesOf(messageId)) await this.remove(entry)
    for (const which of ['file', 'thumbnail', 'poster'] as const) {
      await rm(join(this.dir, `${this.fileName(messageId, which)}.part`), { force: true })
    }
  }

  private async remove(entry: CacheRecord): Promise<void> {
    const path = this.inside(entry.fileName)
    if (path) await rm(path, { force: true }).catch((err: unknown) => log.warn('could not remove a cached file', { error: String(err) }))
    await this.store.removeCacheEntry(entry.messageId, entry.which)
  }

  /** `fileName` resolved inside the cache folder, or null when it would leave it. */
  private inside(fileName: string): string | null {
    const path = join(this.dir, fileName)
    const rel = relative(this.dir, path)
    if (!rel || rel.startsWith('..') || isAbsolute(rel)) return null
    if (existsSync(path)) {
      const real = relative(realpathSync(this.dir), realpathSync(path))
      if (!real || real.startsWith('..') || isAbsolute(real)) return null
    }
    return path
  }
}
