// Owns the running sha256 of uploads in progress, computed on a worker thread: hashing 100 MB costs the event loop
// ~0.2 s at this machine's ~500 MB/s, time in which it could not read sockets; handing a copy over costs ~1/20 of it.
import { Worker } from 'node:worker_threads'
import { createLogger } from '../../../shared/logger'

const log = createLogger('server:hasher')

/**
 * The worker's code, inline (eval) so it needs no entry of its own in the builds: a hash per key, fed in order,
 * digested on request. A message is {op: 'update', key, chunks} | {op: 'digest', key, id} | {op: 'drop', key}.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const crypto = require('node:crypto')
const hashes = new Map()
parentPort.on('message', (message) => {
  if (message.op === 'update') {
    let hash = hashes.get(message.key)
    if (!hash) hashes.set(message.key, (hash = crypto.createHash('sha256')))
    for (const chunk of message.chunks) hash.update(chunk)
  } else if (message.op === 'digest') {
    const hash = hashes.get(message.key)
    hashes.delete(message.key)
    parentPort.postMessage({ id: message.id, hex: hash ? hash.digest('hex') : crypto.createHash('sha256').digest('hex') })
  } else if (message.op === 'drop') {
    hashes.delete(message.key)
  }
})
`

export interface UploadHasher {
  /**
   * Feeds bytes to `key`'s hash. Chunks that own their whole ArrayBuffer (what a socket read yields) are MOVED to the
   * hashing thread, not copied: they are detached (empty) afterwards, so the caller must be done with them. Others
   * are copied.
   */
  update(key: string, chunks: readonly Uint8Array[]): void
  /** The hex digest of everything fed to `key`; forgets the key. */
  digest(key: string): Promise<string>
  drop(key: string): void
  close(): Promise<void>
}

export function createUploadHasher(): UploadHasher {
  const worker = new Worker(WORKER_SOURCE, { eval: true })
  // The worker must not keep the process alive; pending digests keep it referenced while they wait.
  worker.unref()
  const waiting = new Map<number, { resolve: (hex: string) => void; reject: (err: Error) => void }>()
  let nextId = 1
  let failed: Error | null = null
  worker.on('message', (message: { id: number; hex: string }) => {
    waiting.get(message.id)?.resolve(message.hex)
    waiting.delete(message.id)
    if (waiting.size === 0) worker.unref()
  })
  worker.on('error', (err) => {
    failed = err
    log.error('the hashing thread failed', { error: err.message })
    for (const entry of waiting.values()) entry.reject(err)
    waiting.clear()
  })
  return {
    update(key, chunks) {
      let total = 0
      for (const chunk of chunks) total += chunk.length
      if (total === 0 || failed) return
      // Copying 100 MB into fresh buffers cost the event loop ~100 ms of a 400 ms upload here (allocation, copy,
      // garbage): buffers that hold nothing else move to the thread as they are.
      const buffers = new Set<ArrayBuffer>()
      const movable = chunks.every((chunk) => {
        const buffer = chunk.buffer
        if (!(buffer instanceof ArrayBuffer) || chunk.byteOffset !== 0 || chunk.byteLength !== buffer.byteLength || buffers.has(buffer)) return false
        buffers.add(buffer)
        return true
      })
      if (movable) {
        worker.postMessage({ op: 'update', key, chunks }, [...buffers])
        return
      }
      // Otherwise a fresh ArrayBuffer of exactly these bytes, moved (not copied again) to the worker.
      const bytes = new Uint8Array(total)
      let at = 0
      for (const chunk of chunks) {
        bytes.set(chunk, at)
        at += chunk.length
      }
      worker.postMessage({ op: 'update', key, chunks: [bytes] }, [bytes.buffer])
    },
    digest(key) {
      if (failed) return Promise.reject(failed)
      const id = nextId++
      return new Promise<string>((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        worker.ref()
        worker.postMessage({ op: 'digest', key, id })
      })
    },
    drop(key) {
      if (!failed) worker.postMessage({ op: 'drop', key })
    },
    async close() {
      await worker.terminate()
    }
  }
}
