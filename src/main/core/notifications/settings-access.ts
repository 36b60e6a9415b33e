// Owns where the Electron shell's notifications, tray and startup read the device's settings: ONE accessor, fed by
// the settings core module (src/main/core/settings) through useSettingsSource in src/main/index.ts.
import { defaultDeviceSettings, type DeviceSettings } from '../../../shared/model/settings'

type SettingsListener = (settings: DeviceSettings) => void

let current: DeviceSettings = defaultDeviceSettings()
const listeners = new Set<SettingsListener>()

/** The device's settings now (a fresh install's until src/main/index.ts plugs in the settings store at start). */
export function deviceSettings(): DeviceSettings {
  return current
}

/** Called when the settings change (tray menu words, startup items, close-to-tray follow). */
export function onDeviceSettingsChanged(listener: SettingsListener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Plugs in the real settings: their value now and a way to hear of changes. */
export function useSettingsSource(initial: DeviceSettings, subscribe: (listener: SettingsListener) => void): void {
  current = initial
  subscribe((next) => {
    current = next
    for (const listener of listeners) listener(next)
  })
  for (const listener of listeners) listener(current)
}
