// Owns the renderer's languages: vue-i18n set up once, with every locale's messages loaded from
// locales/<locale>/<namespace>.json (one file per domain, so domains never edit a shared file).
import { createI18n } from 'vue-i18n'

export const SUPPORTED_LOCALES = ['en', 'zh-CN'] as const
export type AppLocale = (typeof SUPPORTED_LOCALES)[number]
export const FALLBACK_LOCALE: AppLocale = 'en'

type Namespace = Record<string, unknown>
type LocaleMessages = Record<string, Namespace>

/** locales/<locale>/<namespace>.json -> { [locale]: { [namespace]: messages } }. */
export function groupLocaleFiles(files: Record<string, unknown>): Record<AppLocale, LocaleMessages> {
  const messages = Object.fromEntries(SUPPORTED_LOCALES.map((locale) => [locale, {}])) as Record<AppLocale, LocaleMessages>
  for (const [path, module] of Object.entries(files)) {
    const match = /\/locales\/([^/]+)\/([^/]+)\.json$/.exec(path)
    if (!match) continue
    const [, locale, namespace] = match
    if (!(SUPPORTED_LOCALES as readonly string[]).includes(locale!)) continue
    const content = (module as { default?: Namespace }).default ?? (module as Namespace)
    messages[locale as AppLocale][namespace!] = content
  }
  return messages
}

export const localeMessages = groupLocaleFiles(import.meta.glob('./locales/*/*.json', { eager: true }))

/** The language a new install starts in: Chinese for a Chinese system, English otherwise. */
export function detectLocale(languages: readonly string[]): AppLocale {
  for (const language of languages) {
    if (/^zh\b/i.test(language)) return 'zh-CN'
    if (/^en\b/i.test(language)) return 'en'
  }
  return FALLBACK_LOCALE
}

export const i18n = createI18n({
  legacy: false,
  locale: detectLocale(typeof navigator === 'undefined' ? [] : navigator.languages),
  fallbackLocale: FALLBACK_LOCALE,
  messages: localeMessages,
  // A missing key is a bug the locale-parity test catches; at run time the key itself shows instead of a warning flood.
  missingWarn: false,
  fallbackWarn: false
})

/** Switches every view's language, and the page's lang attribute (screen readers, spellcheck, fonts). */
export function setLocale(locale: AppLocale): void {
  i18n.global.locale.value = locale
  if (typeof document !== 'undefined') document.documentElement.lang = locale
}

/** The active locale, for Intl formatters outside components. */
export function currentLocale(): AppLocale {
  return i18n.global.locale.value as AppLocale
}
