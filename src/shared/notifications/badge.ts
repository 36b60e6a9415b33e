// Owns the unread number the app shows outside the conversation list: the window title, the tray, the dock /
// taskbar badge. One function for all of them, so each equals the sum the list shows.
import type { Conversation } from '../model/messages'
import type { BadgeSettings } from '../model/settings'
import { isMuted } from './dnd'

/**
 * What one conversation adds: its unread messages (derived from the read pointer, so reads on another device lower
 * it), or 1 when it is only marked unread (the list shows a dot: one thing to look at). Rooms keep no unread.
 */
export function conversationUnread(conversation: Pick<Conversation, 'unreadCount' | 'markedUnread'>): number {
  if (conversation.unreadCount > 0) return conversation.unreadCount
  return conversation.markedUnread ? 1 : 0
}

/** The badge: the list's unread sum, conversations on do-not-disturb included only with settings.countMuted. */
export function unreadBadgeCount(
  conversations: Iterable<Pick<Conversation, 'unreadCount' | 'markedUnread' | 'mutedUntil'>>,
  settings: BadgeSettings,
  now: number
): number {
  let sum = 0
  for (const conversation of conversations) {
    if (!settings.countMuted && isMuted(conversation.mutedUntil, now)) continue
    sum += conversationUnread(conversation)
  }
  return sum
}

/** Badges past this show "99+": a bigger number does not fit a dock or overlay icon and says nothing more. */
export const BADGE_MAX_SHOWN = 99

/** The text of a small badge ("" for none). */
export function badgeLabel(count: number): string {
  if (count <= 0) return ''
  return count > BADGE_MAX_SHOWN ? `${BADGE_MAX_SHOWN}+` : String(count)
}

/** The window title: "(3) Parley" while something is unread, else the app's name. */
export function windowTitle(count: number, appName: string): string {
  return count > 0 ? `(${count}) ${appName}` : appName
}
