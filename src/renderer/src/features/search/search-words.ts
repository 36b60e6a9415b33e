// The search view's sentences: how far back search reaches (from the back-fill status) and a hit's spoken name.
import type { BackfillStatus, SearchHit } from '../../../../shared/model'
import { formatFullTimestamp } from '../../utils/time-format'
import { appLocaleOf, intlLocale, tr } from '../../i18n/translate'
import { idAsName, type NameOf } from '../../utils/name-of'

const SINCE_FORMAT: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long', year: 'numeric' }

export function formatSinceDate(ms: number, locale: string = intlLocale()): string {
  return new Intl.DateTimeFormat(locale, SINCE_FORMAT).format(new Date(ms))
}

/** "Searching messages since 3 March 2026", and what the back-fill is doing about the older ones. */
export function reachSentence(status: BackfillStatus | null, locale?: string): string {
  const words = { locale: appLocaleOf(locale) }
  if (status === null) return tr('search.reach.device', {}, words)
  const reach =
    status.since === null ? tr('search.reach.all', {}, words) : tr('search.reach.since', { date: formatSinceDate(status.since, locale) }, words)
  if (status.state === 'running') return tr('search.reach.running', { reach }, words)
  if (status.state === 'paused') return tr('search.reach.paused', { reach }, words)
  return reach
}

/** Who sent a hit, as its line shows it: "You" for mine, else the sender's name (`nameOf`). */
export function hitSender(hit: SearchHit, nameOf: NameOf = idAsName): string {
  return hit.message.direction === 'out' ? tr('common.you') : nameOf(hit.message.from)
}

/** What a screen reader says for a hit: who, when, and the snippet. */
export function hitAccessibleName(hit: SearchHit, locale?: string, nameOf: NameOf = idAsName): string {
  const who = hitSender(hit, nameOf)
  return tr('search.hitName', { who, when: formatFullTimestamp(hit.message.timestamp, locale), snippet: hit.snippet })
}

/** The back-fill windows a person can choose (days), with their names' keys; 365 is the default. */
export const WINDOW_CHOICES: ReadonlyArray<{ days: number; labelKey: string }> = [
  { days: 0, labelKey: 'search.window.device' },
  { days: 30, labelKey: 'search.window.month1' },
  { days: 182, labelKey: 'search.window.month6' },
  { days: 365, labelKey: 'search.window.year1' },
  { days: 1_825, labelKey: 'search.window.year5' },
  { days: 3_650, labelKey: 'search.window.year10' }
]
