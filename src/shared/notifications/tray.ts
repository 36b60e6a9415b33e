// Owns what the tray icon and its menu show, as a pure function of the badge number and the app-wide
// do-not-disturb: the icon variant, whether the badge shows, and the menu's do-not-disturb state.
import { badgeLabel } from './badge'
import { isMuted, isMutedUntilTurnedOff } from './dnd'

export type TrayIconVariant = 'idle' | 'unread' | 'dnd'

export interface TrayInput {
  /** unreadBadgeCount() of the conversation list. */
  unread: number
  /** App-wide do not disturb until (ms since epoch); 0 = off. */
  dndUntil: number
  now: number
}

export interface TrayState {
  /** dnd wins over unread: the user asked for quiet, the number still shows in the tooltip and badge. */
  icon: TrayIconVariant
  unread: number
  /** The dock / overlay badge text ("" = none). */
  badge: string
  dndActive: boolean
  /** 0 when off or "until turned off" (nothing to count down to). */
  dndEndsAt: number
  dndUntilTurnedOff: boolean
}

export function trayState(input: TrayInput): TrayState {
  const dndActive = isMuted(input.dndUntil, input.now)
  const untilOff = dndActive && isMutedUntilTurnedOff(input.dndUntil)
  const unread = Math.max(0, input.unread)
  return {
    icon: dndActive ? 'dnd' : unread > 0 ? 'unread' : 'idle',
    unread,
    badge: badgeLabel(unread),
    dndActive,
    dndEndsAt: dndActive && !untilOff ? input.dndUntil : 0,
    dndUntilTurnedOff: untilOff
  }
}
