// Owns the limits of the device's message operations: the self-destruct timer and "delete for me".

/** setTimeout cannot wait longer than this (about 24.8 days); a later expiry re-arms when the timer fires. */
export const MAX_TIMER_MS_CLIENT = 2 ** 31 - 1
/** Messages one "delete for me" may name: the server's MAX_DELETE_FOR_ME_IDS (services/message-ops/config.ts). */
export const MAX_DELETE_FOR_ME_IDS = 500
