// The one bridge the renderer uses: Electron's preload (window.parley) when present, otherwise the
// browser host's WebSocket bridge. Everything else in the renderer imports `bridge` from here.
import type { ParleyBridge } from '../../../shared/ipc/contract'
import type { AppErrorShape } from '../../../shared/errors'
import { createSocketBridge, type BridgeSocket, type BridgeSocketHandlers } from './socket-bridge'
import { bridgeSocketUrl, claimThisTabId, hostTokenIsCurrent, startOverAsNewTab, takeHostToken } from './host-location'
import { withSyncBatches } from './sync-batches'

function openBrowserSocket(url: string, handlers: BridgeSocketHandlers): BridgeSocket {
  const socket = new WebSocket(url)
  socket.onopen = () => handlers.onOpen()
  socket.onmessage = (event) => handlers.onMessage(event.data)
  socket.onclose = (event) => handlers.onClose(event.code)
  return {
    get isOpen() {
      return socket.readyState === WebSocket.OPEN
    },
    send: (data) => socket.send(data),
    close: (code, reason) => socket.close(code, reason)
  }
}

/** Without the host's token no socket can be opened: every call explains how to open Parley instead. */
function missingTokenBridge(): ParleyBridge {
  const error: AppErrorShape = {
    code: 'DISCONNECTED',
    message: 'This page needs its access token. Open Parley with the full address printed by `npm run web`.'
  }
  return {
    invoke: () => Promise.reject(error),
    on: () => () => undefined
  }
}

function createBrowserBridge(): ParleyBridge {
  const token = takeHostToken()
  if (!token) return missingTokenBridge()
  const claim = claimThisTabId()
  let tab = ''
  return createSocketBridge({
    // Invokes made before the claim settles wait in the bridge's queue.
    ready: claim.then((id) => {
      tab = id
    }),
    url: () => bridgeSocketUrl(token, tab),
    createSocket: openBrowserSocket,
    onReplaced: startOverAsNewTab,
    isTokenCurrent: () => hostTokenIsCurrent(token)
  })
}

// A big catch-up chunk arrives as one `sync.batch`: its items reach the upsert listeners in one task.
export const bridge: ParleyBridge = withSyncBatches(window.parley ?? createBrowserBridge())
