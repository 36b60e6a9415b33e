// Owns the language the app speaks until the user chooses one (the settings' language): the system's, as the
// browser or Electron reports it, followed live when it changes (the 'languagechange' event).
import { detectLocale, setLocale } from './index'

/** Applies the system language now and whenever it changes; returns a function that stops following it. */
export function followSystemLanguage(): () => void {
  const apply = (): void => setLocale(detectLocale(navigator.languages))
  apply()
  window.addEventListener('languagechange', apply)
  return () => window.removeEventListener('languagechange', apply)
}
