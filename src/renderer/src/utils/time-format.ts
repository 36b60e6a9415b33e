// Time and date labels for the UI (message times, conversation list times, day separators), in the
// user's locale and time zone. Pure functions: `now` and `locale` are parameters so tests pin them; without a
// locale they use the app's current one (reactive: a language switch re-renders them).
import { appLocaleOf, intlLocale, tr } from '../i18n/translate'

const DAY_MS = 86_400_000
const WEEK_DAYS = 7

// Every bubble and list row formats times on each render; an Intl.DateTimeFormat is costly to build,
// so each (format, locale) pair is built once.
const FORMATS = {
  hourProbe: { hour: 'numeric' },
  time24: { hour: '2-digit', minute: '2-digit' },
  time12: { hour: 'numeric', minute: '2-digit' },
  weekdayShort: { weekday: 'short' },
  dayMonth: { day: 'numeric', month: 'short' },
  dayMonthYear: { day: 'numeric', month: 'short', year: 'numeric' },
  dayLong: { weekday: 'long', day: 'numeric', month: 'long' },
  dayLongYear: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
  full: { dateStyle: 'medium', timeStyle: 'short' }
} satisfies Record<string, Intl.DateTimeFormatOptions>
type FormatName = keyof typeof FORMATS

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(name: FormatName, requested: string | undefined): Intl.DateTimeFormat {
  const locale = requested ?? intlLocale()
  const key = `${name}|${locale ?? ''}`
  let cached = formatters.get(key)
  if (!cached) {
    cached = new Intl.DateTimeFormat(locale, FORMATS[name])
    formatters.set(key, cached)
  }
  return cached
}

/** The locale's clock: 24-hour ("09:05") or 12-hour ("9:05 AM"). */
function timeFormatter(locale: string | undefined): Intl.DateTimeFormat {
  const { hourCycle } = formatter('hourProbe', locale).resolvedOptions()
  return formatter(hourCycle === 'h23' || hourCycle === 'h24' ? 'time24' : 'time12', locale)
}

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

function isSameYear(a: number, b: number): boolean {
  return new Date(a).getFullYear() === new Date(b).getFullYear()
}

/** "09:05" on a 24-hour clock, "9:05 AM" on a 12-hour one, as the locale says. */
export function formatMessageTime(ms: number, locale?: string): string {
  return timeFormatter(locale).format(ms)
}

/** Conversation list: the time today, "Yesterday", a weekday within the week, else a short date. */
export function formatListTime(ms: number, now: number = Date.now(), locale?: string): string {
  const days = calendarDaysBetween(ms, now)
  if (days <= 0) return formatMessageTime(ms, locale)
  if (days === 1) return tr('common.time.yesterday', {}, { locale: appLocaleOf(locale) })
  if (days < WEEK_DAYS) return formatter('weekdayShort', locale).format(ms)
  return formatter(isSameYear(ms, now) ? 'dayMonth' : 'dayMonthYear', locale).format(ms)
}

/** Day separator in a chat: "Today", "Yesterday", else a full date. */
export function formatDayLabel(ms: number, now: number = Date.now(), locale?: string): string {
  const days = calendarDaysBetween(ms, now)
  if (days === 0) return tr('common.time.today', {}, { locale: appLocaleOf(locale) })
  if (days === 1) return tr('common.time.yesterday', {}, { locale: appLocaleOf(locale) })
  return formatter(isSameYear(ms, now) ? 'dayLong' : 'dayLongYear', locale).format(ms)
}

/** Full date and time for tooltips. */
export function formatFullTimestamp(ms: number, locale?: string): string {
  return formatter('full', locale).format(ms)
}
