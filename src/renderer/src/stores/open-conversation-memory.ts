// Owns remembering which conversation is open, per account (server and user), in the tab's sessionStorage, so a
// reload of the window opens it again; the conversations store writes it on every selection and reads it once per sign-in.
import type { SessionInfo } from '../../../shared/model'

const STORAGE_PREFIX = 'parley.openConversation:'

function storageKey(account: SessionInfo): string {
  return `${STORAGE_PREFIX}${account.serverUrl}|${account.user}`
}

function storage(): Storage | null {
  try {
    return window.sessionStorage
  } catch {
    return null // storage turned off: nothing is remembered, nothing breaks
  }
}

/** Remembers `key` ('single:bob') as the account's open conversation, or that none is open. */
export function rememberOpenConversation(account: SessionInfo | null, key: string | null): void {
  if (!account) return
  try {
    if (key) storage()?.setItem(storageKey(account), key)
    else storage()?.removeItem(storageKey(account))
  } catch (err) {
    console.warn('[renderer:conversations] could not remember the open conversation', err)
  }
}

/** The conversation that was open for this account before the window reloaded, if any. */
export function rememberedOpenConversation(account: SessionInfo | null): string | null {
  if (!account) return null
  return storage()?.getItem(storageKey(account)) ?? null
}
