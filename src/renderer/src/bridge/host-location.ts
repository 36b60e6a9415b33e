// Where the browser-host bridge socket lives: the one-time token from the page URL (kept in sessionStorage
// so reloads work) and this tab's id (kept in sessionStorage so the host can keep the tab signed in; a
// duplicated tab gets a new one, see tab-claim.ts).
import { HOST_BRIDGE_PATH, HOST_TOKEN_CHECK_PATH } from '../../../shared/ipc/contract'
import { browserClaimChannel, claimTabId, type TabIdStore } from './tab-claim'

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

/** This tab's id, once no other live tab claims it (a duplicated tab takes a new one). */
export function claimThisTabId(): Promise<string> {
  return claimTabId({ store: sessionTabIdStore, newId: () => randomHex(TAB_ID_BYTES), channel: browserClaimChannel() })
}

const sessionTabIdStore: TabIdStore = {
  get: () => sessionStorage.getItem(TAB_ID_KEY),
  set: (id) => sessionStorage.setItem(TAB_ID_KEY, id)
}

/**
 * The host closed this tab's socket because another live page connected with the same id (a duplicate the
 * claim missed): this page becomes a new device with a fresh id, from a fresh start.
 */
export function startOverAsNewTab(): void {
  sessionStorage.setItem(TAB_ID_KEY, randomHex(TAB_ID_BYTES))
  window.location.reload()
}

/** Whether the host still takes this page's token: false only when it says no (403); unreachable counts as yes. */
export async function hostTokenIsCurrent(token: string): Promise<boolean> {
  try {
    const res = await fetch(`${window.location.origin}${HOST_TOKEN_CHECK_PATH}?${new URLSearchParams({ token }).toString()}`, { cache: 'no-store' })
    return res.status !== 403
  } catch {
    return true
  }
}

export function bridgeSocketUrl(token: string | null, tab: string): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
  const query = new URLSearchParams({ token: token ?? '', tab })
  return `${scheme}//${window.location.host}${HOST_BRIDGE_PATH}?${query.toString()}`
}
