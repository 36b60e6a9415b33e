// electron-builder.yml as electron-builder itself reads and validates it: the parley: protocol, native modules
// unpacked, fuses, the generic update feed, the icons it names exist; dist.mjs's "no feed" placeholder is the
// one the app recognises.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { NO_UPDATE_FEED_URL } from '../../src/main/updates/update-policy'

const root = join(__dirname, '../..')

describe('installer configuration', () => {
  it('is valid for electron-builder and complete', async () => {
    process.env['PARLEY_UPDATE_URL'] ??= NO_UPDATE_FEED_URL
    const { getConfig, validateConfiguration } = await import('app-builder-lib/out/util/config/config')
    const { DebugLogger } = await import('builder-util')
    const config = await getConfig(root, join(root, 'electron-builder.yml'), null)
    await validateConfiguration(config, new DebugLogger(false))
    expect(config.protocols).toEqual([{ name: 'Parley link', schemes: ['parley'] }])
    expect(config.asarUnpack).toContain('**/*.node')
    expect(config.electronFuses).toMatchObject({ runAsNode: false, onlyLoadAppFromAsar: true, enableEmbeddedAsarIntegrityValidation: true })
    expect(config.publish).toMatchObject({ provider: 'generic', url: '${env.PARLEY_UPDATE_URL}' })
    expect(config.linux?.target).toEqual(['AppImage', 'deb'])
    expect(config.linux?.mimeTypes).toContain('x-scheme-handler/parley')
    expect(config.mac?.hardenedRuntime).toBe(true)
    for (const file of [config.win?.icon, config.mac?.icon, config.mac?.entitlements, config.nsis?.include, 'build/icons/512x512.png']) {
      expect(existsSync(join(root, String(file))), String(file)).toBe(true)
    }
  })

  it('bakes in the placeholder the update policy treats as "no feed"', () => {
    expect(readFileSync(join(root, 'build/scripts/dist.mjs'), 'utf8')).toContain(`'${NO_UPDATE_FEED_URL}'`)
  })
})
