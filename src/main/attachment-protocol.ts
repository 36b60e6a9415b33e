// Owns the Electron side of attachments: the privileged parley-file: scheme serving the signed-in account's cached
// files (only those: the core resolves them, never a path from the URL), and the save / open / show-in-folder hooks.
import { app, dialog, protocol, shell, type BrowserWindow } from 'electron'
import { createReadStream } from 'node:fs'
import { copyFile, mkdir } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { Readable } from 'node:stream'
import { AppError } from '../shared/errors'
import { ATTACHMENT_FILE_SCHEME } from '../shared/csp'
import type { AttachmentWhich } from '../shared/model'
import type { CoreSession } from './core/api/session'
import type { AttachmentShellHooks } from './core/api/attachment-handlers'
import type { CachedFile } from './core/attachments'
import { cleanFileName } from './core/attachments/staging'
import { contentDisposition, parseRange, servedMime } from './core/attachments/serving'

/** The URL's host: one name for the cache, so CSP and URL parsing treat every file alike. */
const CACHE_HOST = 'cache'
const FILE_PATH = /^\/([0-9a-f]{32})\/(file|thumbnail|poster)$/
/** Never handed to the system to open: these run code. The user can save them and decide. */
const EXECUTABLE_EXTENSIONS = new Set([
  '.exe', '.msi', '.bat', '.cmd', '.com', '.scr', '.pif', '.ps1', '.vbs', '.js', '.jse', '.wsf', '.lnk', '.jar',
  '.app', '.command', '.sh', '.desktop', '.appimage', '.run', '.deb', '.rpm', '.pkg', '.dmg'
])

/** Must run before the app is ready: the scheme is standard (URLs parse), secure, and streams media with Range. */
export function registerAttachmentScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: ATTACHMENT_FILE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }
  ])
}

export function attachmentFileUrl(messageId: string, which: AttachmentWhich): string {
  return `${ATTACHMENT_FILE_SCHEME}://${CACHE_HOST}/${messageId}/${which}`
}

/** Answers parley-file: requests from the signed-in account's cache (404 for anything else). */
export function serveAttachmentFiles(session: () => CoreSession | null): void {
  protocol.handle(ATTACHMENT_FILE_SCHEME, async (request) => {
    const url = new URL(request.url)
    const match = FILE_PATH.exec(url.pathname)
    const core = session()
    if (url.host !== CACHE_HOST || !match || !core || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return new Response('Not found', { status: 404 })
    }
    const file = await core.cachedFile(match[1]!, match[2] as AttachmentWhich)
    if (!file) return new Response('Not found', { status: 404 })
    const { mime, inline } = servedMime(file.mime)
    const headers: Record<string, string> = {
      'Content-Type': mime,
      'Content-Disposition': contentDisposition(file.name, !inline),
      'Accept-Ranges': 'bytes',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache'
    }
    const range = parseRange(request.headers.get('range'), file.size)
    if (range === 'invalid') return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${file.size}` } })
    const start = range?.start ?? 0
    const end = range?.end ?? file.size - 1
    headers['Content-Length'] = String(Math.max(0, end - start + 1))
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${file.size}`
    const body = request.method === 'HEAD' || file.size === 0 ? null : (Readable.toWeb(createReadStream(file.path, { start, end })) as unknown as ReadableStream<Uint8Array>)
    return new Response(body, { status: range ? 206 : 200, headers })
  })
}

/** A copy of the cached file under its real name (the cache names files by message id), for the system to open. */
async function namedCopy(file: CachedFile): Promise<string> {
  const dir = join(app.getPath('temp'), 'parley-open', String(Date.now()))
  await mkdir(dir, { recursive: true })
  const target = join(dir, cleanFileName(file.name))
  await copyFile(file.path, target)
  return target
}

/** Save dialog, open with the system, show in the file manager. */
export function electronFileHooks(window: () => BrowserWindow | null): AttachmentShellHooks {
  return {
    async saveAs(file, startFolder) {
      const options = { defaultPath: join(startFolder ?? app.getPath('downloads'), cleanFileName(file.name)) }
      const owner = window()
      const choice = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options)
      if (choice.canceled || !choice.filePath) return null
      await copyFile(file.path, choice.filePath)
      return choice.filePath
    },
    async open(file) {
      if (EXECUTABLE_EXTENSIONS.has(extname(file.name).toLowerCase())) {
        throw new AppError('UNSUPPORTED', 'Parley does not open programs it received. Save the file and open it yourself if you trust it.')
      }
      const failure = await shell.openPath(await namedCopy(file))
      if (failure) throw new AppError('UNSUPPORTED', `The file could not be opened: ${failure}`)
    },
    showInFolder(file) {
      void namedCopy(file).then((copy) => shell.showItemInFolder(copy), () => undefined)
    }
  }
}
