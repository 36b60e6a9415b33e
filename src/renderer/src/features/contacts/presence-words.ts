// How a user's presence reads next to their name: "Online", "Online · at lunch", "Last seen yesterday", "Offline".
import type { UserPresence } from '../../../../shared/model/contacts'
import { formatListTime } from '../../utils/time-format'

export function presenceWords(presence: UserPresence | null, now: number = Date.now()): string {
  if (!presence) return 'Offline'
  const status = presence.statusText.trim()
  if (presence.online) return status ? `Online · ${status}` : 'Online'
  const seen = presence.lastSeen > 0 ? `Last seen ${formatListTime(presence.lastSeen, now)}` : 'Offline'
  return status ? `${seen} · ${status}` : seen
}
