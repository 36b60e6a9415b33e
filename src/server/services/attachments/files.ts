// Owns where attachment bytes live on disk: <dataDir>/attachments/{uploads/<uploadId>, files/<id>, thumbnails/<id>}.
// Names are the server's random ids only (checked against ATTACHMENT_ID_PATTERN), never anything a user typed.
import fs from 'node:fs'
import path from 'node:path'
import { ATTACHMENT_ID_PATTERN } from './config'

export interface AttachmentFiles {
  upload(uploadId: string): string
  file(id: string): string
  thumbnail(id: string): string
  /** The three folders, for the sweep of files no row names (orphans.ts). */
  readonly folders: { uploads: string; files: string; thumbnails: string }
  /** Creates the folders (at start). */
  ensure(): Promise<void>
}

function checkedId(id: string): string {
  // The routes check ids before they get here; this is the last line against a path built from input.
  if (!ATTACHMENT_ID_PATTERN.test(id)) throw new Error(`Not an attachment id: ${JSON.stringify(id)}`)
  return id
}

export function attachmentFiles(dataDir: string): AttachmentFiles {
  const root = path.join(dataDir, 'attachments')
  const uploads = path.join(root, 'uploads')
  const files = path.join(root, 'files')
  const thumbnails = path.join(root, 'thumbnails')
  return {
    upload: (uploadId) => path.join(uploads, checkedId(uploadId)),
    file: (id) => path.join(files, checkedId(id)),
    thumbnail: (id) => path.join(thumbnails, checkedId(id)),
    folders: { uploads, files, thumbnails },
    async ensure() {
      for (const dir of [uploads, files, thumbnails]) await fs.promises.mkdir(dir, { recursive: true })
    }
  }
}

/** fsyncs a folder, so a file created or renamed in it survives a power cut (POSIX; a no-op error on Windows). */
export async function syncFolder(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | null = null
  try {
    handle = await fs.promises.open(dir, 'r')
    await handle.sync()
  } catch {
    // Windows cannot open a folder for fsync; NTFS journals the rename itself.
  } finally {
    await handle?.close()
  }
}
