// Owns the do-not-disturb menu's entries and words, shared by a chat's menu (MuteMenu) and the app-wide one
// (AppDndMenu): 1 h, 8 h, 24 h, "until I turn it off" and, while on, "turn off"; "until 18:30" as a sentence.
import type { BaseMenuItem } from '../../components/menu-item'
import { intlLocale, tr } from '../../i18n/translate'
import { isMuted, isMutedUntilTurnedOff, MUTE_CHOICES, mutedUntilFor, type MuteChoice } from '../../../../shared/notifications'

const CHOICE_LABELS: Record<MuteChoice, string> = {
  '1h': 'notifications.dnd.for1h',
  '8h': 'notifications.dnd.for8h',
  '24h': 'notifications.dnd.for24h',
  untilOff: 'notifications.dnd.untilOff'
}

/**
 * The menu's items: each choice (its time counted from the click, not from when the menu was drawn) and, while
 * do not disturb is on at `now`, "turn off". `choose` gets the new muted-until time (0 = off).
 */
export function dndMenuItems(mutedUntil: number, now: number, choose: (until: number) => void | Promise<void>): BaseMenuItem[] {
  const items: BaseMenuItem[] = MUTE_CHOICES.map((choice) => ({
    id: `dnd-${choice}`,
    label: tr(CHOICE_LABELS[choice]),
    run: () => choose(mutedUntilFor(choice, Date.now()))
  }))
  if (isMuted(mutedUntil, now)) items.push({ id: 'dnd-off', label: tr('notifications.dnd.turnOff'), run: () => choose(0) })
  return items
}

/** "Do not disturb until 3 Dec 2026, 18:30" / "… until you turn it off"; null while off. */
export function dndUntilSentence(mutedUntil: number, now: number, keys: { until: string; untilTurnedOff: string }): string | null {
  if (!isMuted(mutedUntil, now)) return null
  if (isMutedUntilTurnedOff(mutedUntil)) return tr(keys.untilTurnedOff)
  const time = new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(mutedUntil)
  return tr(keys.until, { time })
}
