// The device's settings: what this installation remembers for itself (appearance, notifications, startup,
// downloads, network). Account-wide settings (privacy, per-conversation do-not-disturb) live on the server instead.

export type ThemeChoice = 'light' | 'dark' | 'system'
export type AppLocaleCode = 'en' | 'zh-CN'
/** What a notification shows of a message. */
export type NotificationContent = 'senderAndText' | 'senderOnly' | 'nothing'
export type ProxyMode = 'system' | 'none' | 'manual'

export interface NotificationSettings {
  /** The global switch: no notifications at all when false. */
  enabled: boolean
  content: NotificationContent
  sound: boolean
  /** An @mention of me (or @all) notifies even in a conversation that is on do-not-disturb. */
  mentionsInMuted: boolean
}

export interface BadgeSettings {
  /** Count unread messages of do-not-disturb conversations in the tray / dock / taskbar badge. */
  countMuted: boolean
}

export interface AppearanceSettings {
  theme: ThemeChoice
  /** The message text size in CSS pixels (the rest of the interface scales with it). */
  fontSizePx: number
  locale: AppLocaleCode
}

export interface DownloadSettings {
  /** Where "Save" puts files; null = the system's Downloads folder. */
  folder: string | null
  /** Photos and files up to this size download by themselves when they arrive. */
  autoDownloadMaxBytes: number
}

export interface StartupSettings {
  launchAtLogin: boolean
  startMinimised: boolean
  /** Closing the window keeps Parley running in the tray. */
  closeToTray: boolean
}

export interface NetworkSettings {
  /** The chat server's address; null = the embedded server (or PARLEY_SERVER_URL). */
  serverUrl: string | null
  proxyMode: ProxyMode
  /** With proxyMode 'manual': http://host:port, https://…, socks5://host:port. */
  proxyUrl: string | null
}

export interface SpellcheckSettings {
  enabled: boolean
  /** BCP 47 codes of the dictionaries the composer checks against. */
  languages: string[]
}

export interface DeviceSettings {
  /** The shape's version: a settings file of an older version is migrated on load. */
  version: number
  notifications: NotificationSettings
  badge: BadgeSettings
  appearance: AppearanceSettings
  downloads: DownloadSettings
  startup: StartupSettings
  network: NetworkSettings
  spellcheck: SpellcheckSettings
}

/** A change to some settings: each section is replaced field by field. */
export type DeviceSettingsPatch = { [Section in Exclude<keyof DeviceSettings, 'version'>]?: Partial<DeviceSettings[Section]> }

/** The version of the shape above; bump it with a migration step in the core's settings module. */
export const DEVICE_SETTINGS_VERSION = 1
/** Photos up to 10 MiB download by themselves (the core's default until now): a phone photo, not a disk image. */
const DEFAULT_AUTO_DOWNLOAD_MAX_BYTES = 10 * 1024 * 1024
/** The message text size of a fresh install (px), matching the stylesheet's base size. */
const DEFAULT_FONT_SIZE_PX = 14

/** A fresh install's settings (the locale is replaced by the system's language on first start). */
export function defaultDeviceSettings(): DeviceSettings {
  return {
    version: DEVICE_SETTINGS_VERSION,
    notifications: { enabled: true, content: 'senderAndText', sound: true, mentionsInMuted: true },
    badge: { countMuted: false },
    appearance: { theme: 'system', fontSizePx: DEFAULT_FONT_SIZE_PX, locale: 'en' },
    downloads: { folder: null, autoDownloadMaxBytes: DEFAULT_AUTO_DOWNLOAD_MAX_BYTES },
    startup: { launchAtLogin: false, startMinimised: false, closeToTray: true },
    network: { serverUrl: null, proxyMode: 'system', proxyUrl: null },
    spellcheck: { enabled: true, languages: [] }
  }
}
