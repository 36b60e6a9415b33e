// Owns the Electron side of the IPC contract: one invoke channel answered by the core session (which
// validates every argument) for trusted senders only, and the session's events pushed to the window.
import { ipcMain, type BrowserWindow } from 'electron'
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type InvokeReply } from '../../shared/ipc/contract'
import type { CoreSession } from '../core/api/session'
import { createLogger } from '../../shared/logger'
import { isTrustedSender } from '../window/security'

const log = createLogger('main:ipc')

export function connectBridge(session: CoreSession, getWindow: () => BrowserWindow | null, appOrigin: string): () => void {
  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, method: unknown, args: unknown): Promise<InvokeReply> => {
    if (!isTrustedSender(event.senderFrame, appOrigin)) {
      log.warn('refused IPC from an untrusted frame', { url: event.senderFrame?.url })
      return { ok: false, error: { code: 'BAD_ARGUMENT', message: 'This page may not talk to Parley.' } }
    }
    if (typeof method !== 'string') {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: 'The request named no method.' } }
    }
    return session.invoke(method, args)
  })

  const stopEvents = session.onEvent((name, payload) => {
    const window = getWindow()
    if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, { event: name, payload })
  })

  return () => {
    stopEvents()
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL)
  }
}
