// Owns the Electron side of parley:// links: registering the protocol with the OS, taking links from a first
// launch's argv, a second launch (single instance) and macOS open-url, and handing them to the renderer.
import { app, type BrowserWindow } from 'electron'
import { resolve } from 'node:path'
import { DeepLinkInbox, DEEP_LINK_SCHEME, linkInArgv } from '../core/deep-links'
import { createLogger } from '../../shared/logger'
import { pushToRenderer } from '../window/renderer-push'

const log = createLogger('main:deep-links')
const inbox = new DeepLinkInbox({ onRejected: (reason) => log.warn('refused a parley: link', { reason }) })

function receiveFromArgv(argv: readonly string[]): void {
  const link = linkInArgv(argv)
  if (link !== undefined) inbox.receive(link)
}

/**
 * Makes Parley the OS handler of parley:// (packaged: the installer also declares it; development: the Electron
 * binary with this app's path, so a link starts `electron <app>`), and listens for links. Call before app ready
 * (macOS sends open-url for the link that launched the app very early) and only in the instance holding the
 * single-instance lock. `showWindow` brings the main window forward.
 */
export function listenForDeepLinks(showWindow: () => void): void {
  const registered =
    process.defaultApp && process.argv[1] !== undefined
      ? app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, process.execPath, [resolve(process.argv[1])])
      : app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME)
  if (!registered) log.warn('could not register as the parley: link handler')

  // macOS hands links to the running app (and to a starting one) as open-url events.
  app.on('open-url', (event, url) => {
    event.preventDefault()
    inbox.receive(url)
    if (app.isReady()) showWindow()
  })
  // Windows and Linux start a second instance with the link in its argv; it quits and this one gets the argv.
  app.on('second-instance', (_event, argv) => {
    showWindow()
    receiveFromArgv(argv)
  })
  // The link this instance was launched with (Windows, Linux).
  receiveFromArgv(process.argv)
}

/** Links go to `window`'s renderer once its page has loaded; while it (re)loads they wait. */
export function deliverDeepLinksTo(window: BrowserWindow): void {
  const contents = window.webContents
  contents.on('did-start-loading', () => inbox.notReady())
  contents.on('did-finish-load', () => inbox.ready((target) => pushToRenderer(window, 'shell.openLink', target)))
  window.once('closed', () => inbox.notReady())
}
