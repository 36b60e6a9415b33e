// Owns the words of the tray menu, tooltip and taskbar badge description: the main process has no vue-i18n, so it
// reads the same locale file the renderer uses (notifications.json, section "tray") and fills {placeholders}.
import type { AppLocaleCode } from '../../shared/model/settings'
import en from '../../renderer/src/i18n/locales/en/notifications.json'
import zhCN from '../../renderer/src/i18n/locales/zh-CN/notifications.json'

export type TrayWordKey = keyof typeof en.tray

const TRAY_WORDS: Record<AppLocaleCode, Record<TrayWordKey, string>> = { en: en.tray, 'zh-CN': zhCN.tray }

export function trayWords(locale: AppLocaleCode, key: TrayWordKey, params: Record<string, string | number> = {}): string {
  const template = (TRAY_WORDS[locale] ?? TRAY_WORDS.en)[key]
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole))
}
