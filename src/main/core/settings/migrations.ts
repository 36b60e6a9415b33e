// Owns the versions of the device settings file: which version a raw file is, and the step table that brings an
// older shape to the current one (DEVICE_SETTINGS_VERSION), one version at a time.
import { DEVICE_SETTINGS_VERSION, defaultDeviceSettings, type ThemeChoice } from '../../../shared/model/settings'

type RawSettings = Record<string, unknown>

/** One step: a file of version n becomes a file of version n + 1 (it may still be invalid; validation follows). */
type MigrationStep = (raw: RawSettings) => RawSettings

function isThemeChoice(value: unknown): value is ThemeChoice {
  return value === 'light' || value === 'dark' || value === 'system'
}

/**
 * Version 0 is what Parley kept before there was a settings file: only the theme choice, which the renderer held in
 * localStorage under `parley.theme` ("light" / "dark"; no key = follow the system). A v0 file carries that choice as
 * `theme` (or under the old key); everything else starts from the defaults.
 */
function fromVersion0(raw: RawSettings): RawSettings {
  const settings = defaultDeviceSettings()
  const theme = raw.theme ?? raw['parley.theme']
  if (isThemeChoice(theme)) settings.appearance.theme = theme
  return { ...settings, version: 1 }
}

/** MIGRATION_STEPS[n] turns version n into version n + 1. Add the next step here when the shape changes. */
export const MIGRATION_STEPS: Readonly<Record<number, MigrationStep>> = {
  0: fromVersion0
}

/** The file's version: a file without one is version 0; null when the field is there but not a version number. */
export function versionOf(raw: RawSettings): number | null {
  if (!('version' in raw)) return 0
  const version = raw.version
  return typeof version === 'number' && Number.isInteger(version) && version >= 0 ? version : null
}

export type MigrationResult =
  | { ok: true; settings: RawSettings; from: number; migrated: boolean }
  | { ok: false; why: string }

/** Brings a raw settings object to the current version (not yet validated). */
export function migrateSettings(raw: RawSettings): MigrationResult {
  const from = versionOf(raw)
  if (from === null) return { ok: false, why: 'its version is not a number' }
  if (from > DEVICE_SETTINGS_VERSION) return { ok: false, why: `it was written by a newer Parley (version ${from})` }
  let current = raw
  for (let version = from; version < DEVICE_SETTINGS_VERSION; version++) {
    const step = MIGRATION_STEPS[version]
    if (!step) return { ok: false, why: `there is no migration from version ${version}` }
    current = step(current)
  }
  return { ok: true, settings: current, from, migrated: from !== DEVICE_SETTINGS_VERSION }
}
