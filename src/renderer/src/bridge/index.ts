// The one bridge the renderer uses: Electron's preload (window.parley) when present, otherwise the
// browser host's WebSocket bridge. Everything else in the renderer imports `bridge` from here.
import type { ParleyBridge } from '../../../shared/ipc/contract'
import { createSocketBridge, type BridgeSocket, type BridgeSocketHandlers } from './socket-bridge'
import { bridgeSocketUrl, tabId, takeHostToken } from './host-location'

function openBrowserSocket(url: string, handlers: BridgeSocketHandlers): BridgeSocket {
  const socket = new WebSocket(url)
  socket.onopen = () => handlers.onOpen()
  socket.onmessage = (event) => handlers.onMessage(event.data)
  socket.onclose = () => handlers.onClose()
  return {
    get isOpen() {
      return socket.readyState === WebSocket.OPEN
    },
    send: (data) => socket.send(data),
    close: (code, reason) => socket.close(code, reason)
  }
}

function createBrowserBridge(): ParleyBridge {
  const token = takeHostToken()
  const tab = tabId()
  return createSocketBridge({ url: () => bridgeSocketUrl(token, tab), createSocket: openBrowserSocket })
}

export const bridge: ParleyBridge = window.parley ?? createBrowserBridge()
