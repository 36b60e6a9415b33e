// Owns do-not-disturb time arithmetic, per conversation and for the whole app: the choices offered, the time each
// one mutes until, whether a time still mutes, and when the next one ends (expiry needs no event: time decides).
import { MUTED_UNTIL_TURNED_OFF } from '../model/reactions'

export { MUTED_UNTIL_TURNED_OFF }

/** The choices a conversation's (or the tray's) do-not-disturb menu offers. */
export type MuteChoice = '1h' | '8h' | '24h' | 'untilOff'

const HOUR_MS = 60 * 60 * 1000
/** The durations messengers offer (Signal: 1 h, 8 h, 1 day, always; Telegram: 1 h, 8 h, 2 days, forever). */
export const MUTE_DURATION_MS: Readonly<Record<Exclude<MuteChoice, 'untilOff'>, number>> = {
  '1h': HOUR_MS,
  '8h': 8 * HOUR_MS,
  '24h': 24 * HOUR_MS
}

export const MUTE_CHOICES: readonly MuteChoice[] = ['1h', '8h', '24h', 'untilOff']

/** The muted-until time a choice made at `now` gives. */
export function mutedUntilFor(choice: MuteChoice, now: number): number {
  return choice === 'untilOff' ? MUTED_UNTIL_TURNED_OFF : now + MUTE_DURATION_MS[choice]
}

/** Whether a muted-until time still mutes at `now` (absent / 0 / past: not muted). */
export function isMuted(mutedUntil: number | null | undefined, now: number): boolean {
  return typeof mutedUntil === 'number' && mutedUntil > now
}

/** Muted until the user turns it off (no expiry to wait for). */
export function isMutedUntilTurnedOff(mutedUntil: number | null | undefined): boolean {
  return typeof mutedUntil === 'number' && mutedUntil >= MUTED_UNTIL_TURNED_OFF
}

/**
 * The soonest time after `now` at which one of these muted-until times ends, or null when none will (nothing
 * muted, or only "until turned off"). A view sets one timer for it so the list, badge and tray change on time.
 */
export function nextMuteExpiry(mutedUntils: Iterable<number | null | undefined>, now: number): number | null {
  let soonest: number | null = null
  for (const until of mutedUntils) {
    if (!isMuted(until, now) || isMutedUntilTurnedOff(until)) continue
    if (soonest === null || until! < soonest) soonest = until!
  }
  return soonest
}
