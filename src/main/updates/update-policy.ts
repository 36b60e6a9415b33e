// Owns whether and from where Parley updates itself: only packaged builds, only with a feed configured (the
// generic provider's URL baked in at build time, or PARLEY_UPDATE_URL at run time). Electron-free.

/**
 * What build/scripts/dist.mjs bakes in when the build had no PARLEY_UPDATE_URL: '.invalid' never resolves
 * (RFC 2606), and it tells the app "no feed" rather than letting it fail to reach a server every few hours.
 */
export const NO_UPDATE_FEED_URL = 'https://updates.invalid/parley'
/** Check at start and then every 6 hours: a release reaches everyone within a working day, at 4 requests a day. */
export const UPDATE_CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000
/** The run-time override of the feed (a staging server, or a build made without one). */
export const UPDATE_URL_ENV = 'PARLEY_UPDATE_URL'

export type UpdatePlan =
  | { enabled: false; why: 'development' | 'no-feed' | 'unsupported-package' }
  | { enabled: true; feedUrl: string; fromEnvironment: boolean }

export interface UpdateFacts {
  /** app.isPackaged: npm run dev / start never update. */
  packaged: boolean
  platform: NodeJS.Platform
  /** Linux: only AppImage and deb installs can replace themselves (APPIMAGE is set when run as an AppImage). */
  linuxPackage: 'appimage' | 'deb' | 'other'
  env: Readonly<Record<string, string | undefined>>
  /** The text of resources/app-update.yml that electron-builder wrote, or null when there is none. */
  appUpdateYml: string | null
}

function httpUrl(value: string | undefined | null): string | null {
  if (!value) return null
  try {
    const url = new URL(value.trim())
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null
  } catch {
    return null
  }
}

/** The generic provider's `url:` line of app-update.yml (electron-builder writes it flat, one key a line). */
export function feedUrlOfAppUpdateYml(text: string): string | null {
  const line = /^url:\s*(.+?)\s*$/m.exec(text)
  if (!line) return null
  return httpUrl(line[1]!.replace(/^(['"])(.*)\1$/, '$2'))
}

export function planUpdates(facts: UpdateFacts): UpdatePlan {
  if (!facts.packaged) return { enabled: false, why: 'development' }
  if (facts.platform === 'linux' && facts.linuxPackage === 'other') return { enabled: false, why: 'unsupported-package' }
  const fromEnv = httpUrl(facts.env[UPDATE_URL_ENV])
  if (fromEnv) return { enabled: true, feedUrl: fromEnv, fromEnvironment: true }
  const baked = facts.appUpdateYml === null ? null : feedUrlOfAppUpdateYml(facts.appUpdateYml)
  if (!baked || new URL(baked).hostname.endsWith('.invalid')) return { enabled: false, why: 'no-feed' }
  return { enabled: true, feedUrl: baked, fromEnvironment: false }
}
