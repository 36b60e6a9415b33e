// Owns the words of the native menus: the renderer's shell.json "menu" table in English and Simplified Chinese
// (one place for every string), and which of the two the menus use. Electron-free.
import en from '../../renderer/src/i18n/locales/en/shell.json'
import zhCN from '../../renderer/src/i18n/locales/zh-CN/shell.json'
import type { AppLocaleCode } from '../../shared/model/settings'

export type MenuLabels = typeof en.menu
export type MenuLabelKey = keyof MenuLabels

const TABLES: Record<AppLocaleCode, MenuLabels> = { en: en.menu, 'zh-CN': zhCN.menu }
export const MENU_LOCALES = Object.keys(TABLES) as AppLocaleCode[]

export function menuLabels(locale: AppLocaleCode): MenuLabels {
  return TABLES[locale]
}

/**
 * The menus' language: the app's chosen locale once the settings are known, else the system's (app.getLocale(),
 * e.g. 'zh-CN', 'zh-TW', 'en-GB'): any Chinese gets Simplified Chinese, anything else English, as the renderer does.
 */
export function menuLocale(chosen: AppLocaleCode | null, systemLocale: string): AppLocaleCode {
  if (chosen) return chosen
  return /^zh\b/i.test(systemLocale) ? 'zh-CN' : 'en'
}
