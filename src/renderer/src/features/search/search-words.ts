// The search view's sentences: how far back search reaches (from the back-fill status) and a hit's spoken name.
import type { BackfillStatus, SearchHit } from '../../../../shared/model'
import { formatFullTimestamp } from '../../utils/time-format'

const SINCE_FORMAT: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long', year: 'numeric' }

export function formatSinceDate(ms: number, locale?: string): string {
  return new Intl.DateTimeFormat(locale, SINCE_FORMAT).format(new Date(ms))
}

/** "Searching messages since 3 March 2026", and what the back-fill is doing about the older ones. */
export function reachSentence(status: BackfillStatus | null, locale?: string): string {
  if (status === null) return 'Searching the messages on this device'
  const reach = status.since === null ? 'Searching all your messages' : `Searching messages since ${formatSinceDate(status.since, locale)}`
  if (status.state === 'running') return `${reach}; fetching older ones…`
  if (status.state === 'paused') return `${reach}; fetching older ones resumes when you are idle and online`
  return reach
}

/** What a screen reader says for a hit: who, when, and the snippet. */
export function hitAccessibleName(hit: SearchHit, locale?: string): string {
  const who = hit.message.direction === 'out' ? 'You' : hit.message.from
  return `${who}, ${formatFullTimestamp(hit.message.timestamp, locale)}: ${hit.snippet}`
}

/** The back-fill windows a person can choose (days), with their names; 365 is the default. */
export const WINDOW_CHOICES: ReadonlyArray<{ days: number; label: string }> = [
  { days: 0, label: 'Only what is on this device' },
  { days: 30, label: '1 month' },
  { days: 182, label: '6 months' },
  { days: 365, label: '1 year' },
  { days: 1_825, label: '5 years' },
  { days: 3_650, label: '10 years' }
]
