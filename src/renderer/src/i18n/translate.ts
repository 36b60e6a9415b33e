// Owns the renderer's words outside components: `tr()` (vue-i18n's global t, reactive wherever it is read in a
// render or computed) and the locale-aware number formatting that stores and pure helpers share.
import { currentLocale, i18n, type AppLocale } from './index'

/** Translates a key outside a component; inside one, useI18n's t is the same thing. */
export const tr = i18n.global.t

/** The app locale whose words go with an Intl locale ('en-GB' -> 'en', 'zh-Hans-CN' -> 'zh-CN'). */
export function appLocaleOf(locale: string | undefined): AppLocale {
  if (locale === undefined) return currentLocale()
  return /^zh\b/i.test(locale) ? 'zh-CN' : 'en'
}

/**
 * The locale Intl formats dates and numbers in: the system's own regional variant when it speaks the app's language
 * (an 'en-GB' system keeps day-month order in English), else the app locale itself.
 */
export function intlLocale(): string {
  const app = currentLocale()
  const system = typeof navigator === 'undefined' ? undefined : navigator.language
  return system && appLocaleOf(system) === app ? system : app
}

// Formatters are costly to build and these run on every render: one per (locale, digits) pair.
const numberFormats = new Map<string, Intl.NumberFormat>()

/** A number as the locale writes it ("4,200" in English); at most `maxFractionDigits` decimals. */
export function formatNumber(value: number, locale: string = intlLocale(), maxFractionDigits = 0): string {
  const key = `${locale}|${maxFractionDigits}`
  let format = numberFormats.get(key)
  if (!format) {
    format = new Intl.NumberFormat(locale, { maximumFractionDigits: maxFractionDigits })
    numberFormats.set(key, format)
  }
  return format.format(value)
}
