// The e2e browser discovery order, with a fake file system: CHROMIUM_PATH, then the OS's Chromium / Chrome / Edge,
// then Playwright's cached Chromium, then installing it; one sentence when even that fails.
import { describe, expect, it } from 'vitest'
import { findBrowser, noBrowserSentence, type BrowserProbe } from '../support/browser-discovery'

const PLAYWRIGHT = '/home/me/.cache/ms-playwright/chromium-1255/chrome-linux64/chrome'

function probe(over: Partial<BrowserProbe> & { files?: string[]; installWorks?: boolean }): BrowserProbe & { installs: number } {
  const files = new Set(over.files ?? [])
  const state = {
    installs: 0,
    platform: over.platform ?? 'linux',
    env: over.env ?? {},
    exists: (file: string) => files.has(file),
    playwrightChromium: over.playwrightChromium ?? (() => PLAYWRIGHT),
    installPlaywrightChromium: () => {
      state.installs++
      if (!over.installWorks) throw new Error('getaddrinfo ENOTFOUND cdn.playwright.dev')
      files.add(PLAYWRIGHT)
    }
  }
  return state
}

describe('findBrowser', () => {
  it('takes CHROMIUM_PATH first, and refuses one that does not exist', () => {
    const found = findBrowser(probe({ env: { CHROMIUM_PATH: '/opt/chrome' }, files: ['/opt/chrome', '/usr/bin/chromium'] }))
    expect(found).toEqual({ path: '/opt/chrome', source: 'CHROMIUM_PATH' })
    expect(() => findBrowser(probe({ env: { CHROMIUM_PATH: '/nope' }, files: ['/usr/bin/chromium'] }))).toThrow(/CHROMIUM_PATH is set to \/nope/)
  })

  it('then the system browsers of the OS in order: Chromium before Chrome before Edge', () => {
    expect(findBrowser(probe({ files: ['/usr/bin/google-chrome', '/usr/bin/chromium-browser'] })).path).toBe('/usr/bin/chromium-browser')
    expect(findBrowser(probe({ files: ['/usr/bin/microsoft-edge', '/usr/bin/google-chrome-stable'] })).path).toBe('/usr/bin/google-chrome-stable')
    expect(findBrowser(probe({ files: ['/usr/bin/microsoft-edge'] })).path).toBe('/usr/bin/microsoft-edge')
    const mac = findBrowser(probe({ platform: 'darwin', files: ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'] }))
    expect(mac).toEqual({ path: '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', source: 'system' })
    const edge = 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe'
    const windows = probe({ platform: 'win32', env: { PROGRAMFILES: 'C:\\Program Files', 'PROGRAMFILES(X86)': 'C:\\Program Files (x86)' }, files: [edge] })
    expect(findBrowser(windows).path).toBe(edge)
  })

  it("then Playwright's cached Chromium, without installing anything", () => {
    const machine = probe({ files: [PLAYWRIGHT] })
    expect(findBrowser(machine)).toEqual({ path: PLAYWRIGHT, source: 'playwright' })
    expect(machine.installs).toBe(0)
  })

  it("installs Playwright's Chromium when there is no browser at all, and uses it", () => {
    const machine = probe({ installWorks: true })
    expect(findBrowser(machine)).toEqual({ path: PLAYWRIGHT, source: 'installed' })
    expect(machine.installs).toBe(1)
  })

  it('fails with one sentence saying what to install when even the download fails', () => {
    const machine = probe({ installWorks: false })
    expect(() => findBrowser(machine)).toThrow(noBrowserSentence('linux'))
    expect(machine.installs).toBe(1)
    expect(noBrowserSentence('linux')).toMatch(/^[^\n]+\.$/)
    expect(noBrowserSentence('linux').split('. ')).toHaveLength(1)
    expect(() => findBrowser(probe({ playwrightChromium: () => null }))).toThrow(/apt-get install chromium/)
  })
})
