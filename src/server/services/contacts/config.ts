// Owns the contacts, profiles and accounts section of the server's tunables: the limits of each field, batch sizes,
// and the two server settings (PARLEY_ALLOW_STRANGERS, PARLEY_DELETED_NAME_RESERVE_DAYS) read from the environment.

/** A friend request's message, in characters (the protocol's documented limit). */
export const FRIEND_REQUEST_MESSAGE_MAX_CHARS = 256
/** My alias for a friend, in characters (as long as a nickname). */
export const REMARK_MAX_CHARS = 64
/** Nickname in characters (code points, so any script counts the same); long enough for a full name. */
export const NICKNAME_MAX_CHARS = 64
export const SIGNATURE_MAX_CHARS = 256
/** Status text shown next to presence: a short line, like a nickname. */
export const STATUS_TEXT_MAX_CHARS = 64
/** Custom attributes: keys and values together, UTF-8 bytes (the 2 KB per user). */
export const PROFILE_ATTRIBUTES_MAX_BYTES = 2 * 1024
/** Profiles per ProfileGet (the protocol's limit): one page of a contact list or a group's members. */
export const PROFILE_GET_MAX_USERS = 100
/** Users per PresenceGet (the protocol's limit): a whole contact list screen in one request. */
export const PRESENCE_GET_MAX_USERS = 200
/**
 * Send verdicts (blocked? friends? recipient deleted?) cached per (sender, recipient) pair so a send costs no extra
 * store round trip (the worker would answer it only after the fsync in progress, adding a commit to every send's
 * latency). Every contacts change of the pair drops its entry; at this many pairs the cache starts over (a few MB).
 */
export const SEND_VERDICT_CACHE_PAIRS = 100_000

/** PARLEY_DELETED_NAME_RESERVE_DAYS default: a deleted account's name cannot be registered again for 30 days. */
export const DEFAULT_DELETED_NAME_RESERVE_DAYS = 30

const DAY_MS = 86_400_000

export interface ContactsConfig {
  /** PARLEY_ALLOW_STRANGERS: whether a user may message someone who is not their friend (default true). */
  allowStrangers: boolean
  /** PARLEY_DELETED_NAME_RESERVE_DAYS in ms (0 = a deleted name is free at once). */
  deletedNameReserveMs: number
}

export function contactsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ContactsConfig {
  const strangersRaw = env.PARLEY_ALLOW_STRANGERS?.trim().toLowerCase()
  let allowStrangers = true
  if (strangersRaw) {
    if (['true', '1', 'yes'].includes(strangersRaw)) allowStrangers = true
    else if (['false', '0', 'no'].includes(strangersRaw)) allowStrangers = false
    else throw new Error(`PARLEY_ALLOW_STRANGERS must be true or false (got "${env.PARLEY_ALLOW_STRANGERS}").`)
  }
  const reserveRaw = env.PARLEY_DELETED_NAME_RESERVE_DAYS?.trim()
  const reserveDays = reserveRaw ? Number(reserveRaw) : DEFAULT_DELETED_NAME_RESERVE_DAYS
  if (!(reserveDays >= 0) || !Number.isFinite(reserveDays)) {
    throw new Error(`PARLEY_DELETED_NAME_RESERVE_DAYS must be a number of days, 0 or more (got "${reserveRaw}").`)
  }
  return { allowStrangers, deletedNameReserveMs: reserveDays * DAY_MS }
}
