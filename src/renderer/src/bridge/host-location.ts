// Where the browser-host bridge socket lives: the one-time token from the page URL (kept in sessionStorage
// so reloads work) and this tab's id (kept in sessionStorage so the host can keep the tab signed in).
import { HOST_BRIDGE_PATH } from '../../../shared/ipc/contract'

const TOKEN_KEY = 'parley.hostToken'
const TAB_ID_KEY = 'parley.tabId'
const TAB_ID_BYTES = 16

function randomHex(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes))
  return Array.from(values, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Moves `?token=` from the visible URL into sessionStorage and returns the token to use, if any. */
export function takeHostToken(): string | null {
  const url = new URL(window.location.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl)
    url.searchParams.delete('token')
    // The token grants access to the session: keep it out of history, bookmarks and screenshots.
    history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`)
    return fromUrl
  }
  return sessionStorage.getItem(TOKEN_KEY)
}

export function tabId(): string {
  let id = sessionStorage.getItem(TAB_ID_KEY)
  if (!id) {
    id = randomHex(TAB_ID_BYTES)
    sessionStorage.setItem(TAB_ID_KEY, id)
  }
  return id
}

export function bridgeSocketUrl(token: string | null, tab: string): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
  const query = new URLSearchParams({ token: token ?? '', tab })
  return `${scheme}//${window.location.host}${HOST_BRIDGE_PATH}?${query.toString()}`
}
