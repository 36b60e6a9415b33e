// Owns the Electron security policy: CSP on every response, no permissions but the microphone, no navigation away from the
// app, no new windows (http(s) links open in the user's browser), and which IPC senders are trusted.
import { session, shell, type WebContents, type WebFrameMain } from 'electron'
import { isAppUrl } from './app-url'
import { contentSecurityPolicy } from '../../shared/csp'

/** `devServerOrigin`: the dev server's origin during `npm run dev` (its hot-reload socket is allowed), else null. */
export function applySessionPolicy(devServerOrigin: string | null): void {
  const policy = contentSecurityPolicy(devServerOrigin ? { shell: 'electron-dev', devServerOrigin } : { shell: 'electron' })
  const ses = session.defaultSession
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [policy],
        'X-Content-Type-Options': ['nosniff']
      }
    })
  })
  // The one permission granted: the microphone (audio only, never the camera or the screen) for recording voice
  // messages; the window never leaves the app's origin (guardNavigation), so only the app can ask.
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : []
    callback(permission === 'media' && mediaTypes.length > 0 && mediaTypes.every((type) => type === 'audio'))
  })
  ses.setPermissionCheckHandler((_contents, permission, _origin, details) => permission === 'media' && details.mediaType === 'audio')
}

function isHttpUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url)
    return protocol === 'https:' || protocol === 'http:'
  } catch {
    return false
  }
}

/** Keeps a window on the app's own origin. */
export function guardNavigation(contents: WebContents, appOrigin: string): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appOrigin)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appOrigin)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (isHttpUrl(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
}


/** IPC is only answered for the app's own top-level frame. */
export function isTrustedSender(frame: WebFrameMain | null, appOrigin: string): boolean {
  if (!frame || frame.parent !== null) return false
  return isAppUrl(frame.url, appOrigin)
}
