// How a user's presence reads next to their name: "Online", "Online · at lunch", "Last seen yesterday", "Offline".
import type { UserPresence } from '../../../../shared/model/contacts'
import { formatListTime } from '../../utils/time-format'
import { tr } from '../../i18n/translate'

export function presenceWords(presence: UserPresence | null, now: number = Date.now()): string {
  if (!presence) return tr('contacts.presence.offline')
  const status = presence.statusText.trim()
  if (presence.online) return status ? tr('contacts.presence.withStatus', { state: tr('contacts.presence.online'), status }) : tr('contacts.presence.online')
  const seen = presence.lastSeen > 0 ? tr('contacts.presence.lastSeen', { when: formatListTime(presence.lastSeen, now) }) : tr('contacts.presence.offline')
  return status ? tr('contacts.presence.withStatus', { state: seen, status }) : seen
}
