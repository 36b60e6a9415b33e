// Auto-update policy: never in development, never without a feed (none baked in, or the "no feed" placeholder),
// a run-time PARLEY_UPDATE_URL wins, Linux only for AppImage and deb installs.
import { describe, expect, it } from 'vitest'
import { feedUrlOfAppUpdateYml, planUpdates, NO_UPDATE_FEED_URL, type UpdateFacts } from '../../src/main/updates/update-policy'

const YML = 'provider: generic\nurl: https://downloads.example.org/parley\nupdaterCacheDirName: parley-updater\n'
const base: UpdateFacts = { packaged: true, platform: 'win32', linuxPackage: 'other', env: {}, appUpdateYml: YML }

describe('planUpdates', () => {
  it('updates a packaged build from the feed baked in at build time', () => {
    expect(planUpdates(base)).toEqual({ enabled: true, feedUrl: 'https://downloads.example.org/parley', fromEnvironment: false })
  })

  it('is off in development, whatever is configured', () => {
    expect(planUpdates({ ...base, packaged: false, env: { PARLEY_UPDATE_URL: 'https://x.example.org' } })).toEqual({ enabled: false, why: 'development' })
  })

  it('is off without a feed: no app-update.yml, the placeholder, or garbage', () => {
    expect(planUpdates({ ...base, appUpdateYml: null })).toEqual({ enabled: false, why: 'no-feed' })
    expect(planUpdates({ ...base, appUpdateYml: `provider: generic\nurl: ${NO_UPDATE_FEED_URL}\n` })).toEqual({ enabled: false, why: 'no-feed' })
    expect(planUpdates({ ...base, appUpdateYml: 'provider: generic\nurl: file:///etc/passwd\n' })).toEqual({ enabled: false, why: 'no-feed' })
    expect(planUpdates({ ...base, env: { PARLEY_UPDATE_URL: 'not a url' }, appUpdateYml: null })).toEqual({ enabled: false, why: 'no-feed' })
  })

  it('lets PARLEY_UPDATE_URL at run time name the feed', () => {
    expect(planUpdates({ ...base, appUpdateYml: null, env: { PARLEY_UPDATE_URL: 'https://staging.example.org/p/' } })).toEqual({
      enabled: true,
      feedUrl: 'https://staging.example.org/p/',
      fromEnvironment: true
    })
  })

  it('on Linux, updates AppImage and deb installs only', () => {
    expect(planUpdates({ ...base, platform: 'linux', linuxPackage: 'other' })).toEqual({ enabled: false, why: 'unsupported-package' })
    expect(planUpdates({ ...base, platform: 'linux', linuxPackage: 'appimage' }).enabled).toBe(true)
    expect(planUpdates({ ...base, platform: 'linux', linuxPackage: 'deb' }).enabled).toBe(true)
  })
})

describe('feedUrlOfAppUpdateYml', () => {
  it('reads the url line, quoted or not', () => {
    expect(feedUrlOfAppUpdateYml(YML)).toBe('https://downloads.example.org/parley')
    expect(feedUrlOfAppUpdateYml("provider: generic\nurl: 'https://a.example.org/u'\n")).toBe('https://a.example.org/u')
    expect(feedUrlOfAppUpdateYml('provider: generic\n')).toBeNull()
  })
})
