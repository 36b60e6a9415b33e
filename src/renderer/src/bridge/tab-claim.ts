// Owns making this tab's id its own: a duplicated browser tab inherits sessionStorage (and with it the tab id),
// so before connecting, a tab asks the others on a BroadcastChannel whether its id is live; if one answers,
// it takes a new id and becomes a new device. A reload finds no owner (the old page is gone) and keeps its id.

/** Long enough for a live tab of the same browser profile to answer (same-origin messages take a few ms). */
export const CLAIM_WAIT_MS = 200
const CHANNEL_NAME = 'parley.tab-ids'

type ClaimMessage =
  | { kind: 'who-has'; tab: string; instance: string }
  | { kind: 'mine'; tab: string; instance: string }

/** The part of BroadcastChannel this uses (a Node test passes its own). */
export interface ClaimChannel {
  postMessage(message: ClaimMessage): void
  onmessage: ((event: { data: unknown }) => void) | null
}

export interface TabIdStore {
  get(): string | null
  set(id: string): void
}

export interface TabClaimOptions {
  store: TabIdStore
  newId: () => string
  /** Null when the browser has no BroadcastChannel: the host's "replaced" close is then the only guard. */
  channel: ClaimChannel | null
  waitMs?: number
}

function isClaimMessage(value: unknown): value is ClaimMessage {
  if (typeof value !== 'object' || value === null) return false
  const message = value as Record<string, unknown>
  return (message.kind === 'who-has' || message.kind === 'mine') && typeof message.tab === 'string' && typeof message.instance === 'string'
}

/**
 * Resolves with the id this tab may use, and from then on answers other tabs that ask for it. Two tabs that
 * start at once with the same id (a restored session) both ask; the one with the smaller instance keeps it.
 */
export function claimTabId(options: TabClaimOptions): Promise<string> {
  const { store, channel } = options
  let tab = store.get() ?? options.newId()
  store.set(tab)
  if (!channel) return Promise.resolve(tab)
  const instance = options.newId()
  let settled = false

  const takeNewId = (): void => {
    tab = options.newId()
    store.set(tab)
  }

  return new Promise<string>((resolve) => {
    channel.onmessage = (event) => {
      const message = event.data
      if (!isClaimMessage(message) || message.instance === instance || message.tab !== tab) return
      if (message.kind === 'mine') {
        // A live tab owns this id: this page is its duplicate.
        if (!settled) takeNewId()
        return
      }
      // Another page asks for our id. Once settled it is ours; while both are still asking, the smaller instance wins.
      if (settled || instance < message.instance) channel.postMessage({ kind: 'mine', tab, instance })
      else takeNewId()
    }
    channel.postMessage({ kind: 'who-has', tab, instance })
    setTimeout(() => {
      settled = true
      resolve(tab)
    }, options.waitMs ?? CLAIM_WAIT_MS)
  })
}

/** The browser's channel, or null where BroadcastChannel does not exist. */
export function browserClaimChannel(): ClaimChannel | null {
  return typeof BroadcastChannel === 'function' ? (new BroadcastChannel(CHANNEL_NAME) as unknown as ClaimChannel) : null
}
