// Owns the limits of the device's self-destruct timer.

/** setTimeout cannot wait longer than this (about 24.8 days); a later expiry re-arms when the timer fires. */
export const MAX_TIMER_MS_CLIENT = 2 ** 31 - 1
