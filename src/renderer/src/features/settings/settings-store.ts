// Owns this device's settings in the renderer (useSettingsStore): loaded once at start (before sign-in), changed
// through settings.update, kept in step with settings.changed; applies the font size and language; opens the view.
import { ref, watch } from 'vue'
import { defineStore } from 'pinia'
import { defaultDeviceSettings, type DeviceSettings, type DeviceSettingsPatch, type ThemeChoice } from '../../../../shared/model/settings'
import { bridge } from '../../bridge'
import { setLocale } from '../../i18n'

/** The sections of the settings view, in the order the view lists them. */
export const SETTINGS_SECTIONS = ['account', 'notifications', 'privacy', 'appearance', 'downloads', 'storage', 'startup', 'network'] as const
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number]

/** Where the renderer kept the theme before there were device settings ("light" / "dark"; none: the system's). */
export const LEGACY_THEME_KEY = 'parley.theme'

/** The old localStorage theme choice, if one is still there (read once, to move it into the settings). */
export function legacyThemeChoice(storage: Pick<Storage, 'getItem'> | null): ThemeChoice | null {
  try {
    const value = storage?.getItem(LEGACY_THEME_KEY)
    return value === 'light' || value === 'dark' ? value : null
  } catch {
    return null // storage disabled: nothing to move
  }
}

function browserStorage(): Storage | null {
  try {
    return window.localStorage
  } catch {
    return null
  }
}

/** The settings with a patch applied, section by section (what the core will save, shown before it answers). */
export function withPatch(settings: DeviceSettings, patch: DeviceSettingsPatch): DeviceSettings {
  return {
    ...settings,
    notifications: { ...settings.notifications, ...patch.notifications },
    badge: { ...settings.badge, ...patch.badge },
    appearance: { ...settings.appearance, ...patch.appearance },
    downloads: { ...settings.downloads, ...patch.downloads },
    startup: { ...settings.startup, ...patch.startup },
    network: { ...settings.network, ...patch.network },
    spellcheck: { ...settings.spellcheck, ...patch.spellcheck }
  }
}

export const useSettingsStore = defineStore('settings', () => {
  /** The defaults until settings.get answers; the legacy theme meanwhile, so a dark-theme user sees no flash. */
  const initial = defaultDeviceSettings()
  initial.appearance.theme = legacyThemeChoice(browserStorage()) ?? initial.appearance.theme
  const settings = ref<DeviceSettings>(initial)
  const loaded = ref(false)
  const isOpen = ref(false)
  const section = ref<SettingsSection>('appearance')

  /** Changes sent and not answered yet; while there are any, the view shows them (answers to earlier ones wait). */
  let pending = 0
  /** The newest settings the core sent while changes were on their way. */
  let newest: DeviceSettings | null = null

  bridge.on('settings.changed', (changed) => {
    if (pending > 0) newest = changed
    else settings.value = changed
  })

  /** Reads the device's settings, then moves the old localStorage theme choice into them (once). */
  async function load(): Promise<void> {
    try {
      settings.value = await bridge.invoke('settings.get')
      loaded.value = true
    } catch (err) {
      console.warn('[renderer:settings] could not read the settings; using the defaults', err)
      return
    }
    const legacy = legacyThemeChoice(browserStorage())
    if (legacy === null) return
    try {
      await update({ appearance: { theme: legacy } })
      browserStorage()?.removeItem(LEGACY_THEME_KEY)
    } catch (err) {
      console.warn('[renderer:settings] could not move the old theme choice into the settings', err)
    }
  }

  /**
   * Saves a change, shown at once. Quick changes in a row (a slider's key presses, two clicks) are each saved in
   * order; the answers to the earlier ones do not move the controls back, the core's settings are shown again once
   * all are answered. Rejects with the core's error (a sentence) when a value is not allowed.
   */
  async function update(patch: DeviceSettingsPatch): Promise<DeviceSettings> {
    pending++
    settings.value = withPatch(settings.value, patch)
    try {
      const next = await bridge.invoke('settings.update', patch)
      newest = next
      return next
    } finally {
      pending--
      if (pending === 0) await settle()
    }
  }

  /** Everything answered: show the core's settings (read again when no answer carried them, e.g. all refused). */
  async function settle(): Promise<void> {
    const answered = newest
    newest = null
    if (answered) {
      settings.value = answered
      return
    }
    try {
      settings.value = await bridge.invoke('settings.get')
    } catch (err) {
      console.warn('[renderer:settings] could not read the settings again', err)
    }
  }

  function open(at?: SettingsSection): void {
    if (at) section.value = at
    isOpen.value = true
  }

  function close(): void {
    isOpen.value = false
  }

  // The message text size and the language follow the settings at once, in every view.
  watch(
    () => settings.value.appearance.fontSizePx,
    (px) => document.documentElement.style.setProperty('--font-size', `${px}px`),
    { immediate: true }
  )
  watch(
    () => [settings.value.appearance.locale, loaded.value] as const,
    ([locale, isLoaded]) => {
      // Before the settings are read the system's language (the i18n default) stays.
      if (isLoaded) setLocale(locale)
    },
    { immediate: true }
  )

  return { settings, loaded, isOpen, section, load, update, open, close }
})
