// Owns the limits the group store applies inside its transactions (ids, pins, mentions, how many groups one sync
// or one conversation list covers). config.ts re-exports them, so every server limit is still found there.

/** Pinned messages per group: a short list people read, not an archive. */
export const GROUP_MAX_PINS = 50
/** Mentions kept per message: more than a screenful of names is noise (and each costs a lookup in the commit). */
export const GROUP_MAX_MENTIONS = 50
/** Group ids: "g" + this many random characters of [a-z0-9] (36^10 ≈ 3.7e15: a collision is retried, never kept). */
export const GROUP_ID_RANDOM_CHARS = 10
/** A create retries this many fresh ids before failing (each collision has odds of about 1 in 10^15). */
export const GROUP_ID_ATTEMPTS = 8
/** Cursors one group_sync may carry: a user in more groups asks again with the rest. */
export const GROUP_SYNC_MAX_GROUPS = 1_000
/** Groups listed in a first page of recent conversations (each costs an unread count over its log). */
export const GROUP_SUMMARY_MAX = 500
