// Owns finding a Chromium-family browser for the e2e tests: CHROMIUM_PATH, then a system Chromium / Chrome / Edge,
// then Playwright's cached Chromium, and else installing Playwright's Chromium; when all fail, one sentence.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

export interface BrowserProbe {
  platform: NodeJS.Platform
  env: Readonly<Record<string, string | undefined>>
  /** Whether an executable file exists at the path. */
  exists(file: string): boolean
  /** Where Playwright keeps (or would keep) its Chromium for this playwright-core version; null if unknown. */
  playwrightChromium(): string | null
  /** Downloads Playwright's Chromium; throws when it cannot (no internet). */
  installPlaywrightChromium(): void
}

export type BrowserFound = { path: string; source: 'CHROMIUM_PATH' | 'system' | 'playwright' | 'installed' }

/** The system browsers tried, in order, per OS (Chromium first: it is what CI installs). */
export function systemBrowserPaths(platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>): string[] {
  if (platform === 'darwin') {
    return [
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge'
    ]
  }
  if (platform === 'win32') {
    const roots = [env['LOCALAPPDATA'], env['PROGRAMFILES'], env['PROGRAMFILES(X86)']].filter((root): root is string => Boolean(root))
    return [
      ...roots.map((root) => path.win32.join(root, 'Chromium', 'Application', 'chrome.exe')),
      ...roots.map((root) => path.win32.join(root, 'Google', 'Chrome', 'Application', 'chrome.exe')),
      ...roots.map((root) => path.win32.join(root, 'Microsoft', 'Edge', 'Application', 'msedge.exe'))
    ]
  }
  return [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/microsoft-edge',
    '/usr/bin/microsoft-edge-stable'
  ]
}

/** What to install, in one sentence, for the OS. */
export function noBrowserSentence(platform: NodeJS.Platform): string {
  const system =
    platform === 'linux'
      ? 'install Chromium (Debian/Ubuntu: sudo apt-get install chromium)'
      : platform === 'darwin'
        ? 'install Google Chrome or Chromium in /Applications'
        : 'install Google Chrome or Microsoft Edge'
  return (
    'The e2e tests need a Chromium-based browser and none was found, nor could Playwright download its own: ' +
    `${system}, run "npx playwright-core install chromium" with internet access, or set CHROMIUM_PATH to a Chrome or Chromium binary.`
  )
}

/** The first usable browser, in the documented order; installs Playwright's Chromium as the last resort. */
export function findBrowser(probe: BrowserProbe): BrowserFound {
  const fromEnv = probe.env['CHROMIUM_PATH']
  if (fromEnv) {
    if (probe.exists(fromEnv)) return { path: fromEnv, source: 'CHROMIUM_PATH' }
    throw new Error(`CHROMIUM_PATH is set to ${fromEnv}, which does not exist: point it at a Chrome or Chromium binary, or unset it.`)
  }
  const system = systemBrowserPaths(probe.platform, probe.env).find((file) => probe.exists(file))
  if (system) return { path: system, source: 'system' }
  const cached = probe.playwrightChromium()
  if (cached && probe.exists(cached)) return { path: cached, source: 'playwright' }
  try {
    probe.installPlaywrightChromium()
  } catch {
    throw new Error(noBrowserSentence(probe.platform))
  }
  const installed = probe.playwrightChromium()
  if (installed && probe.exists(installed)) return { path: installed, source: 'installed' }
  throw new Error(noBrowserSentence(probe.platform))
}

/** The real machine: its files, playwright-core's registry, and playwright-core's own installer. */
export function machineProbe(): BrowserProbe {
  const require = createRequire(import.meta.url)
  const cli = path.join(path.dirname(require.resolve('playwright-core/package.json')), 'cli.js')
  return {
    platform: process.platform,
    env: process.env,
    exists: (file) => existsSync(file),
    playwrightChromium: () => {
      try {
        return (require('playwright-core') as typeof import('playwright-core')).chromium.executablePath()
      } catch {
        return null
      }
    },
    installPlaywrightChromium: () => {
      console.log('[e2e] no Chromium found: installing Playwright\'s Chromium (npx playwright-core install chromium)…')
      // --no-shell: the tests launch the full browser by path; the headless shell would be a second download.
      execFileSync(process.execPath, [cli, 'install', '--no-shell', 'chromium'], { stdio: 'inherit' })
    }
  }
}
