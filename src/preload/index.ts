// The preload: exposes window.parley, a small typed bridge over two IPC channels, never raw ipcRenderer.
// Invoke replies arrive as { ok, result | error } and become a resolved value or a rejection with { code, message }.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import {
  IPC_EVENT_CHANNEL,
  IPC_INVOKE_CHANNEL,
  type InvokeReply,
  type ParleyBridge,
  type PushEventName
} from '../shared/ipc/contract'

const bridge: ParleyBridge = {
  async invoke(method, ...args) {
    const reply = (await ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, args[0])) as InvokeReply
    if (reply.ok) return reply.result as never
    throw reply.error
  },
  on(event, listener) {
    const handler = (_e: IpcRendererEvent, message: { event: PushEventName; payload: unknown }): void => {
      if (message.event === event) listener(message.payload as never)
    }
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler)
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler)
  }
}

contextBridge.exposeInMainWorld('parley', bridge)
