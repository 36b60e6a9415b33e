// The device settings module: one JSON file per device (settings-file.ts), its versions (migrations.ts).
// Electron-free; CoreSession owns the store and the shells only say where the file lives.
export { DeviceSettingsStore, applySettingsPatch, localeOfLanguages, languagesOfAcceptLanguage, processLanguages, writeAtomically, BAD_FILE_SUFFIX, type OpenSettingsOptions, type SettingsListener } from './settings-file'
export { MIGRATION_STEPS, migrateSettings, versionOf } from './migrations'
