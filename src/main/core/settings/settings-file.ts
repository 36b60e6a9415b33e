// Owns one device's settings file: loading it (migrated by version, validated; a corrupt or invalid file is kept
// aside as <file>.bad and the defaults used), applying validated patches, and writing it atomically (temp + rename).
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { AppError } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import { defaultDeviceSettings, type AppLocaleCode, type DeviceSettings, type DeviceSettingsPatch } from '../../../shared/model/settings'
import { deviceSettingsPatchSchema, deviceSettingsSchema, settingsIssueSentence } from '../../../shared/ipc/settings-schemas'
import { migrateSettings } from './migrations'

const log = createLogger('core:settings')

/** Where an unreadable settings file is kept for a person to look at (the next bad one replaces it). */
export const BAD_FILE_SUFFIX = '.bad'

export type SettingsListener = (settings: DeviceSettings) => void

export interface OpenSettingsOptions {
  /** The settings file (Electron: userData/settings.json; browser host: the tab's folder); null: kept in memory only. */
  file: string | null
  /** The system's preferred languages, best first: a first start picks the interface language from them. */
  systemLanguages?: readonly string[]
}

/**
 * The interface language of a first start: Simplified Chinese for a Chinese system, English otherwise. Takes BCP 47
 * tags (zh-Hans-CN) and POSIX locales (zh_CN.UTF-8) alike.
 */
export function localeOfLanguages(languages: readonly string[]): AppLocaleCode {
  for (const language of languages) {
    if (/^zh([-_.]|$)/i.test(language)) return 'zh-CN'
    if (/^en([-_.]|$)/i.test(language)) return 'en'
  }
  return 'en'
}

/** A process's languages as POSIX names them (LC_ALL, LC_MESSAGES, LANGUAGE, LANG), best first. */
export function processLanguages(env: NodeJS.ProcessEnv): string[] {
  const named = [env.LC_ALL, env.LC_MESSAGES, ...(env.LANGUAGE ?? '').split(':'), env.LANG]
  return named.filter((value): value is string => Boolean(value && value !== 'C' && value !== 'POSIX'))
}

/** Longer than any real Accept-Language header: only guards absurd input. */
const MAX_ACCEPT_LANGUAGE_CHARS = 512

/** A browser's languages from its Accept-Language header ("zh-CN,zh;q=0.9,en;q=0.8"), best first. */
export function languagesOfAcceptLanguage(header: string | undefined): string[] {
  if (!header) return []
  return header
    .slice(0, MAX_ACCEPT_LANGUAGE_CHARS)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined)
      return { tag: tag.trim(), quality: q === undefined ? 1 : Number(q), index }
    })
    .filter((entry) => /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(entry.tag) && entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index)
    .map((entry) => entry.tag)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The settings with a patch applied, section by section (not validated). */
export function applySettingsPatch(settings: DeviceSettings, patch: DeviceSettingsPatch): DeviceSettings {
  const next = structuredClone(settings)
  for (const [section, fields] of Object.entries(patch) as Array<[keyof DeviceSettingsPatch, Record<string, unknown> | undefined]>) {
    if (!fields) continue
    Object.assign(next[section], fields)
  }
  return next
}

type LoadOutcome = { settings: DeviceSettings; write: boolean }

export class DeviceSettingsStore {
  private settings: DeviceSettings
  private readonly listeners = new Set<SettingsListener>()
  /** Writes run one after another, so the file always ends with the newest settings. */
  private writing: Promise<void> = Promise.resolve()
  /** Updates run one after another (read, merge, save, announce). */
  private updating: Promise<unknown> = Promise.resolve()

  private constructor(
    readonly file: string | null,
    settings: DeviceSettings
  ) {
    this.settings = settings
  }

  /** Loads (or creates) the device's settings; never fails for a bad file, only falls back to the defaults. */
  static async open(options: OpenSettingsOptions): Promise<DeviceSettingsStore> {
    const { settings, write } = await loadSettings(options)
    const store = new DeviceSettingsStore(options.file, settings)
    if (write) await store.save(settings).catch((err: unknown) => log.warn('could not write the settings file', { error: String(err) }))
    return store
  }

  /** The current settings (a copy: changing it changes nothing). */
  get current(): DeviceSettings {
    return structuredClone(this.settings)
  }

  onChange(listener: SettingsListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Applies a patch: checked field by field and as a whole (BAD_ARGUMENT with a sentence when it is not valid),
   * saved, then every listener hears the new settings. A patch that changes nothing writes nothing.
   */
  update(rawPatch: unknown): Promise<DeviceSettings> {
    // One at a time: each patch merges onto the settings the one before it saved (two at once lost one).
    const run = this.updating.then(() => this.applyPatch(rawPatch))
    this.updating = run.catch(() => undefined)
    return run
  }

  private async applyPatch(rawPatch: unknown): Promise<DeviceSettings> {
    const parsedPatch = deviceSettingsPatchSchema.safeParse(rawPatch)
    if (!parsedPatch.success) throw new AppError('BAD_ARGUMENT', `These settings are not valid: ${settingsIssueSentence(parsedPatch.error)}`)
    const merged = applySettingsPatch(this.settings, parsedPatch.data as DeviceSettingsPatch)
    const parsed = deviceSettingsSchema.safeParse(merged)
    if (!parsed.success) throw new AppError('BAD_ARGUMENT', `These settings are not valid: ${settingsIssueSentence(parsed.error)}`)
    const next = parsed.data
    if (JSON.stringify(next) === JSON.stringify(this.settings)) return this.current
    await this.save(next)
    this.settings = next
    for (const listener of [...this.listeners]) {
      try {
        listener(this.current)
      } catch (err) {
        log.error('a settings listener threw', { error: String(err) })
      }
    }
    return this.current
  }

  private save(settings: DeviceSettings): Promise<void> {
    const file = this.file
    if (file === null) return Promise.resolve()
    const run = this.writing.then(() => writeAtomically(file, JSON.stringify(settings, null, 2) + '\n'))
    this.writing = run.catch(() => undefined)
    return run.catch((err: unknown) => {
      log.error('could not save the settings', { error: String(err) })
      throw new AppError('INTERNAL', 'Could not save the settings on this device.', { cause: err })
    })
  }
}

/** Writes the file's new content beside it, flushed to disk, then renames it over the old one. */
export async function writeAtomically(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    const handle = await open(temporary, 'w', 0o600)
    try {
      await handle.writeFile(content, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, file)
  } catch (err) {
    await rm(temporary, { force: true })
    throw err
  }
}

async function loadSettings(options: OpenSettingsOptions): Promise<LoadOutcome> {
  const firstStart = (): LoadOutcome => {
    const settings = defaultDeviceSettings()
    settings.appearance.locale = localeOfLanguages(options.systemLanguages ?? [])
    return { settings, write: true }
  }
  if (options.file === null) return firstStart()
  let text: string
  try {
    text = await readFile(options.file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return firstStart()
    log.error('could not read the settings file; using the defaults', { error: String(err) })
    return { settings: defaultDeviceSettings(), write: false }
  }
  const problem = await parseSettings(text)
  if ('settings' in problem) {
    if (problem.migratedFrom !== null) log.info('migrated the settings file', { from: problem.migratedFrom })
    // Before version 1 there was no language choice: like a first start, the system's language decides.
    if (problem.migratedFrom === 0) problem.settings.appearance.locale = localeOfLanguages(options.systemLanguages ?? [])
    return { settings: problem.settings, write: problem.migratedFrom !== null }
  }
  const aside = options.file + BAD_FILE_SUFFIX
  log.warn('the settings file is not valid; it is kept aside and the defaults are used', { why: problem.why, keptAs: aside })
  try {
    await rename(options.file, aside)
  } catch (err) {
    log.warn('could not keep the bad settings file aside', { error: String(err) })
  }
  return { settings: defaultDeviceSettings(), write: true }
}

async function parseSettings(text: string): Promise<{ settings: DeviceSettings; migratedFrom: number | null } | { why: string }> {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return { why: 'it is not JSON' }
  }
  if (!isRecord(raw)) return { why: 'it is not a JSON object' }
  const migration = migrateSettings(raw)
  if (!migration.ok) return { why: migration.why }
  const parsed = deviceSettingsSchema.safeParse(migration.settings)
  if (!parsed.success) return { why: settingsIssueSentence(parsed.error) }
  return { settings: parsed.data, migratedFrom: migration.migrated ? migration.from : null }
}
