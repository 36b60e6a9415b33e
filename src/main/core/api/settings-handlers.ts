// Owns the settings.* invoke handlers: the device's settings (before sign-in too), the account's storage on this
// device (database and download cache sizes, clearing the cache) and the shell's folder picker for downloads.
import { stat } from 'node:fs/promises'
import { AppError } from '../../../shared/errors'
import type { InvokeResults, PushEvents, StorageUsage } from '../../../shared/ipc/contract'
import type { InvokeArgsOf, InvokeMethod } from '../../../shared/ipc/schemas'
import type { DeviceSettingsStore } from '../settings'
import type { AttachmentsClient } from '../attachments'
import { accountDatabasePath } from '../session/account-files'

/** What a shell adds to the settings (Electron: a native folder picker). */
export interface SettingsShellHooks {
  /** Asks for a folder (starting at `current`); its absolute path, or null when the user canceled. */
  chooseFolder?(current: string | null): Promise<string | null>
}

/** The signed-in account's files on this device, when there is one. */
export interface AccountStorage {
  dataDir: string
  user: string
  attachments: AttachmentsClient | null
}

type SettingsMethod = Extract<InvokeMethod, `settings.${string}`>
type SettingsHandlers = { [M in SettingsMethod]: (args: InvokeArgsOf<M>) => Promise<InvokeResults[M]> }

/** SQLite's files of one database in WAL mode: the database and its write-ahead log (the -shm index is tiny). */
const DATABASE_FILE_SUFFIXES = ['', '-wal']

async function fileBytes(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch {
    return 0 // not there (no WAL right now): nothing to count
  }
}

async function usageOf(account: AccountStorage | null): Promise<StorageUsage> {
  if (!account) return { databaseBytes: null, cacheBytes: null }
  const database = accountDatabasePath(account.dataDir, account.user)
  const sizes = await Promise.all(DATABASE_FILE_SUFFIXES.map((suffix) => fileBytes(database + suffix)))
  let cacheBytes: number | null
  try {
    cacheBytes = (await account.attachments?.cacheUsage()) ?? null
  } catch {
    cacheBytes = null // the store closed under us (signed out meanwhile)
  }
  return { databaseBytes: sizes.reduce((sum, size) => sum + size, 0), cacheBytes }
}

export function settingsHandlers(options: {
  settings: () => Promise<DeviceSettingsStore>
  account: () => AccountStorage | null
  hooks: SettingsShellHooks
  push: <E extends 'settings.clearCacheProgress'>(event: E, payload: PushEvents[E]) => void
}): SettingsHandlers {
  return {
    'settings.get': async () => (await options.settings()).current,
    'settings.update': async (patch) => (await options.settings()).update(patch),
    'settings.storage': () => usageOf(options.account()),
    'settings.clearCache': async () => {
      const account = options.account()
      if (!account?.attachments) throw new AppError('NOT_SIGNED_IN', 'Please sign in first.')
      await account.attachments.clearCache((done, total) => options.push('settings.clearCacheProgress', { done, total }))
      return usageOf(options.account())
    },
    'settings.chooseDownloadFolder': async () => {
      const store = await options.settings()
      if (!options.hooks.chooseFolder) throw new AppError('UNSUPPORTED', 'Choosing a download folder is only available in the Parley desktop app.')
      const folder = await options.hooks.chooseFolder(store.current.downloads.folder)
      return folder === null ? store.current : store.update({ downloads: { folder } })
    }
  }
}
