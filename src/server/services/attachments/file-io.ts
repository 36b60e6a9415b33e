// Owns the small file reads and syncs of finishing an upload: hashing a file read back (after a restart lost the
// running hash), its first bytes for sniffing, and an fsync of a written file.
import crypto from 'node:crypto'
import fs from 'node:fs'
import { UPLOAD_WRITE_BATCH_BYTES } from './config'
import { SNIFF_BYTES } from './sniff'

/** The hex sha256 of a whole file. */
export async function hashFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256')
  for await (const chunk of fs.createReadStream(file, { highWaterMark: UPLOAD_WRITE_BATCH_BYTES })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** The first SNIFF_BYTES of a file (fewer when it is shorter). */
export async function readHead(file: string): Promise<Uint8Array> {
  const handle = await fs.promises.open(file, 'r')
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** fsyncs a file already written and closed. */
export async function syncFile(file: string): Promise<void> {
  const handle = await fs.promises.open(file, 'r+')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
