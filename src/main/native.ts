// Locates the better-sqlite3 binary built for Electron's ABI (the one in node_modules is built for Node,
// which runs the tests). `npm run dev` builds it via build/scripts/electron-native.mjs; installers ship it.
import { app } from 'electron'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const NATIVE_BINDING_FILE = 'better_sqlite3.node'
/** Where build/scripts/electron-native.mjs puts the Electron build; keep the two in step. */
export const DEV_NATIVE_DIR = join('node_modules', '.parley-electron-native')

export function resolveSqliteBinding(): string {
  const path = app.isPackaged
    ? join(process.resourcesPath, 'native', NATIVE_BINDING_FILE)
    : join(app.getAppPath(), DEV_NATIVE_DIR, NATIVE_BINDING_FILE)
  if (!existsSync(path)) {
    throw new Error(
      `The SQLite module built for Electron is missing (${path}). Start the app with "npm run dev", which builds it.`
    )
  }
  return path
}
