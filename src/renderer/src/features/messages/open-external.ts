// Owns opening a link outside the app: Electron asks the main process (shell.openExternal through
// `app.openExternal`); the browser host's page opens a new tab itself. Only http, https and mailto go anywhere.
import { bridge } from '../../bridge'
import { isExternalUrl } from '../../../../shared/ipc/external-links'
import { AppError } from '../../../../shared/errors'

/** Rejects with an AppError for a link of another kind, or when the system could not open it. */
export async function openExternal(url: string): Promise<void> {
  if (!isExternalUrl(url)) throw new AppError('BAD_ARGUMENT', 'Only web and e-mail links can be opened.')
  if (!window.parley) {
    // The browser host: the page is itself in a browser. noopener: the new tab gets no handle back to Parley.
    window.open(url, '_blank', 'noopener,noreferrer')
    return
  }
  await bridge.invoke('app.openExternal', { url })
}
