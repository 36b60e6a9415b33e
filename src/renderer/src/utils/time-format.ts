// Time and date labels for the UI (message times, conversation list times, day separators), in the
// user's locale and time zone. Pure functions: `now` and `locale` are parameters so tests pin them.
const DAY_MS = 86_400_000
const WEEK_DAYS = 7

function startOfDay(ms: number): number {
  const date = new Date(ms)
  date.setHours(0, 0, 0, 0)
  return date.getTime()
}

/** Whole calendar days between two instants in local time (0 = same day, 1 = yesterday...). */
export function calendarDaysBetween(earlier: number, later: number): number {
  // Round, because a day with a daylight-saving change is 23 or 25 hours long.
  return Math.round((startOfDay(later) - startOfDay(earlier)) / DAY_MS)
}

export function isSameDay(a: number, b: number): boolean {
  return calendarDaysBetween(a, b) === 0
}

/** "09:05" on a 24-hour clock, "9:05 AM" on a 12-hour one, as the locale says. */
export function formatMessageTime(ms: number, locale?: string): string {
  const { hourCycle } = new Intl.DateTimeFormat(locale, { hour: 'numeric' }).resolvedOptions()
  const twentyFourHour = hourCycle === 'h23' || hourCycle === 'h24'
  return new Intl.DateTimeFormat(locale, { hour: twentyFourHour ? '2-digit' : 'numeric', minute: '2-digit' }).format(ms)
}

/** Conversation list: the time today, "Yesterday", a weekday within the week, else a short date. */
export function formatListTime(ms: number, now: number = Date.now(), locale?: string): string {
  const days = calendarDaysBetween(ms, now)
  if (days <= 0) return formatMessageTime(ms, locale)
  if (days === 1) return 'Yesterday'
  if (days < WEEK_DAYS) return new Intl.DateTimeFormat(locale, { weekday: 'short' }).format(ms)
  const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear()
  return new Intl.DateTimeFormat(locale, sameYear ? { day: 'numeric', month: 'short' } : { day: 'numeric', month: 'short', year: 'numeric' }).format(ms)
}

/** Day separator in a chat: "Today", "Yesterday", else a full date. */
export function formatDayLabel(ms: number, now: number = Date.now(), locale?: string): string {
  const days = calendarDaysBetween(ms, now)
  if (days === 0) return 'Today'
  if (days === 1) return 'Yesterday'
  const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear()
  return new Intl.DateTimeFormat(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' })
  }).format(ms)
}

/** Full date and time for tooltips. */
export function formatFullTimestamp(ms: number, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(ms)
}
