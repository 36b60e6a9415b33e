// Owns how a burn-after-reading timer is said in the composer: "10 seconds", "1 minute" (Intl, in the app's language).
import { intlLocale } from '../../i18n/translate'
import { timerInWords } from '../messages/group-timer-access'

export function burnTimeWords(seconds: number): string {
  return timerInWords(seconds, intlLocale()) ?? ''
}
