// Badge arithmetic (the title, tray and dock number), do-not-disturb expiry and the tray's state.
import { describe, expect, it } from 'vitest'
import type { Conversation } from '../../src/shared/model'
import {
  MUTED_UNTIL_TURNED_OFF,
  badgeLabel,
  isMuted,
  mutedUntilFor,
  nextMuteExpiry,
  trayState,
  unreadBadgeCount,
  windowTitle
} from '../../src/shared/notifications'

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0)
type Row = Pick<Conversation, 'unreadCount' | 'markedUnread' | 'mutedUntil'>

describe('badge arithmetic', () => {
  const list: Row[] = [
    { unreadCount: 3 },
    { unreadCount: 2, mutedUntil: NOW + 60_000 },
    { unreadCount: 0, markedUnread: true },
    { unreadCount: 4, mutedUntil: MUTED_UNTIL_TURNED_OFF },
    { unreadCount: 1, mutedUntil: NOW - 1 }
  ]

  it('sums the list, leaving muted conversations out unless countMuted', () => {
    expect(unreadBadgeCount(list, { countMuted: false }, NOW)).toBe(3 + 1 + 1)
    expect(unreadBadgeCount(list, { countMuted: true }, NOW)).toBe(3 + 2 + 1 + 4 + 1)
  })

  it('a mute that expires counts again without any event', () => {
    expect(unreadBadgeCount(list, { countMuted: false }, NOW + 60_000)).toBe(3 + 2 + 1 + 1)
  })

  it('follows reads on another device: the read pointer moved, the unread count the list shows went down', () => {
    const before: Row[] = [{ unreadCount: 3 }, { unreadCount: 5 }]
    // Another device read the second conversation: its conversation.upsert carries unreadCount 0.
    const after: Row[] = [before[0]!, { unreadCount: 0 }]
    expect(unreadBadgeCount(before, { countMuted: false }, NOW)).toBe(8)
    expect(unreadBadgeCount(after, { countMuted: false }, NOW)).toBe(3)
  })

  it('labels and titles', () => {
    expect(badgeLabel(0)).toBe('')
    expect(badgeLabel(7)).toBe('7')
    expect(badgeLabel(100)).toBe('99+')
    expect(windowTitle(3, 'Parley')).toBe('(3) Parley')
    expect(windowTitle(0, 'Parley')).toBe('Parley')
  })
})

describe('do not disturb expiry', () => {
  it('choices mute for their duration, or until turned off', () => {
    expect(mutedUntilFor('1h', NOW)).toBe(NOW + 3_600_000)
    expect(mutedUntilFor('8h', NOW)).toBe(NOW + 8 * 3_600_000)
    expect(mutedUntilFor('24h', NOW)).toBe(NOW + 24 * 3_600_000)
    expect(mutedUntilFor('untilOff', NOW)).toBe(MUTED_UNTIL_TURNED_OFF)
  })

  it('a mute ends exactly at its time', () => {
    const until = mutedUntilFor('1h', NOW)
    expect(isMuted(until, until - 1)).toBe(true)
    expect(isMuted(until, until)).toBe(false)
    expect(isMuted(0, NOW)).toBe(false)
    expect(isMuted(undefined, NOW)).toBe(false)
    expect(isMuted(MUTED_UNTIL_TURNED_OFF, Date.UTC(3000, 0, 1))).toBe(true)
  })

  it('the next expiry is the soonest future one, ignoring past and "until turned off"', () => {
    expect(nextMuteExpiry([0, NOW - 5, MUTED_UNTIL_TURNED_OFF, NOW + 9_000, NOW + 2_000, undefined], NOW)).toBe(NOW + 2_000)
    expect(nextMuteExpiry([MUTED_UNTIL_TURNED_OFF, 0], NOW)).toBeNull()
  })
})

describe('tray state', () => {
  it('idle, unread and do-not-disturb icons', () => {
    expect(trayState({ unread: 0, dndUntil: 0, now: NOW })).toMatchObject({ icon: 'idle', badge: '', dndActive: false })
    expect(trayState({ unread: 4, dndUntil: 0, now: NOW })).toMatchObject({ icon: 'unread', badge: '4', unread: 4 })
    expect(trayState({ unread: 4, dndUntil: NOW + 1000, now: NOW })).toMatchObject({ icon: 'dnd', badge: '4', dndActive: true, dndEndsAt: NOW + 1000 })
    expect(trayState({ unread: 0, dndUntil: MUTED_UNTIL_TURNED_OFF, now: NOW })).toMatchObject({ icon: 'dnd', dndUntilTurnedOff: true, dndEndsAt: 0 })
    // App-wide do not disturb ended by time.
    expect(trayState({ unread: 1, dndUntil: NOW, now: NOW })).toMatchObject({ icon: 'unread', dndActive: false })
  })
})
