// Owns the words of the native menus: the renderer's shell.json "menu" table in English and Simplified Chinese
// (one place for every string), and which of the two the menus use. Electron-free.
import en from '../../renderer/src/i18n/locales/en/shell.json'
import zhCN from '../../renderer/src/i18n/locales/zh-CN/shell.json'
import type { AppLocaleCode } from '../../shared/model/settings'
import { localeOfLanguages } from '../core/settings/settings-file'

export type MenuLabels = typeof en.menu
export type MenuLabelKey = keyof MenuLabels

const TABLES: Record<AppLocaleCode, MenuLabels> = { en: en.menu, 'zh-CN': zhCN.menu }
export const MENU_LOCALES = Object.keys(TABLES) as AppLocaleCode[]

export function menuLabels(locale: AppLocaleCode): MenuLabels {
  return TABLES[locale]
}

/**
 * The menus' language: the app's chosen locale once the settings are known, else the system's (app.getLocale(),
 * e.g. 'zh-CN', 'zh-TW', 'en-GB'), mapped as a first start's settings are (localeOfLanguages): any Chinese gets
 * Simplified Chinese, anything else English.
 */
export function menuLocale(chosen: AppLocaleCode | null, systemLocale: string): AppLocaleCode {
  return chosen ?? localeOfLanguages([systemLocale])
}
