// Owns pushing the desktop shell's own events (deep links, menu commands, updates) to the main window's renderer,
// on the same channel and in the same shape as the core session's events (ipc/bridge.ts).
import type { BrowserWindow } from 'electron'
import { IPC_EVENT_CHANNEL, type PushEventName, type PushEvents } from '../../shared/ipc/contract'

/** Sends the event when there is a live window; says whether it did. */
export function pushToRenderer<E extends PushEventName>(window: BrowserWindow | null, event: E, payload: PushEvents[E]): boolean {
  if (!window || window.isDestroyed() || window.webContents.isLoading()) return false
  window.webContents.send(IPC_EVENT_CHANNEL, { event, payload })
  return true
}
