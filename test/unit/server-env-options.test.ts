// The README's server variables mean the same for every run command: one reader, checked here.
import { describe, expect, it } from 'vitest'
import { ServerEnvError, serverOptionsFromEnv } from '../../src/server/env-options'

describe('serverOptionsFromEnv', () => {
  it('uses the defaults when nothing is set', () => {
    expect(serverOptionsFromEnv({}, { dataDir: '/app/data/server', port: 4321 })).toEqual({
      host: '127.0.0.1',
      port: 4321,
      dataDir: '/app/data/server',
      tokenTtlSec: undefined
    })
  })

  it('takes every listed variable over the defaults, relative folders from cwd', () => {
    const env = { PARLEY_HOST: '::1', PARLEY_PORT: '0', PARLEY_DATA_DIR: 'srv/parley', PARLEY_TOKEN_TTL_SEC: '60' }
    expect(serverOptionsFromEnv(env, { dataDir: '/ignored', port: 4321, cwd: '/home/me' })).toEqual({
      host: '::1',
      port: 0,
      dataDir: '/home/me/srv/parley',
      tokenTtlSec: 60
    })
  })

  it('refuses unusable values with a sentence naming the variable', () => {
    expect(() => serverOptionsFromEnv({ PARLEY_PORT: '70000' }, { dataDir: '/d' })).toThrow(ServerEnvError)
    expect(() => serverOptionsFromEnv({ PARLEY_PORT: 'abc' }, { dataDir: '/d' })).toThrow(/PARLEY_PORT/)
    expect(() => serverOptionsFromEnv({ PARLEY_TOKEN_TTL_SEC: '-5' }, { dataDir: '/d' })).toThrow(/PARLEY_TOKEN_TTL_SEC/)
  })
})
