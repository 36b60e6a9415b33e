// Renderer time labels: message times, conversation list times and day separators, with `now` and
// the locale pinned so the results do not depend on the machine running the test.
import { describe, expect, it } from 'vitest'
import { calendarDaysBetween, formatDayLabel, formatListTime, formatMessageTime, isSameDay } from '../../src/renderer/src/utils/time-format'

const LOCALE = 'en-GB'
// Local-time dates, so calendar-day maths holds in any time zone.
const now = new Date(2026, 5, 17, 15, 30).getTime() // Wed 17 June 2026, 15:30

describe('renderer time formatting', () => {
  it('formats a message time as hours and minutes', () => {
    expect(formatMessageTime(new Date(2026, 5, 17, 9, 5).getTime(), LOCALE)).toBe('09:05')
    expect(formatMessageTime(new Date(2026, 5, 17, 21, 45).getTime(), LOCALE)).toBe('21:45')
  })

  it('counts calendar days, not 24-hour periods', () => {
    const lateYesterday = new Date(2026, 5, 16, 23, 59).getTime()
    const earlyToday = new Date(2026, 5, 17, 0, 1).getTime()
    expect(calendarDaysBetween(lateYesterday, earlyToday)).toBe(1)
    expect(isSameDay(lateYesterday, earlyToday)).toBe(false)
    expect(isSameDay(earlyToday, now)).toBe(true)
  })

  it('labels the conversation list by how long ago', () => {
    expect(formatListTime(new Date(2026, 5, 17, 8, 0).getTime(), now, LOCALE)).toBe('08:00')
    expect(formatListTime(new Date(2026, 5, 16, 8, 0).getTime(), now, LOCALE)).toBe('Yesterday')
    expect(formatListTime(new Date(2026, 5, 13, 8, 0).getTime(), now, LOCALE)).toBe('Sat')
    expect(formatListTime(new Date(2026, 4, 2, 8, 0).getTime(), now, LOCALE)).toBe('2 May')
    expect(formatListTime(new Date(2025, 11, 24, 8, 0).getTime(), now, LOCALE)).toBe('24 Dec 2025')
  })

  it('labels day separators', () => {
    expect(formatDayLabel(new Date(2026, 5, 17, 1, 0).getTime(), now, LOCALE)).toBe('Today')
    expect(formatDayLabel(new Date(2026, 5, 16, 1, 0).getTime(), now, LOCALE)).toBe('Yesterday')
    expect(formatDayLabel(new Date(2026, 5, 1, 1, 0).getTime(), now, LOCALE)).toMatch(/^Monday,? 1 June$/)
    expect(formatDayLabel(new Date(2025, 0, 3, 1, 0).getTime(), now, LOCALE)).toMatch(/^Friday,? 3 January 2025$/)
  })
})
