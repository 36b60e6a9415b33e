// The rotation grace (PARLEY_TOKEN_ROTATION_GRACE_SEC): its default, the option over the variable, and a refusal of a
// value that is not a number of seconds.
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_TOKEN_ROTATION_GRACE_SEC, resolveConfig } from '../../src/server/config'

const saved = process.env.PARLEY_TOKEN_ROTATION_GRACE_SEC
afterEach(() => {
  if (saved === undefined) delete process.env.PARLEY_TOKEN_ROTATION_GRACE_SEC
  else process.env.PARLEY_TOKEN_ROTATION_GRACE_SEC = saved
})

describe('the token rotation grace setting', () => {
  it('defaults to 10 minutes, reads the variable, and lets an option win', () => {
    delete process.env.PARLEY_TOKEN_ROTATION_GRACE_SEC
    expect(DEFAULT_TOKEN_ROTATION_GRACE_SEC).toBe(600)
    expect(resolveConfig({ dataDir: '/tmp/x' }).tokenRotationGraceMs).toBe(600_000)
    process.env.PARLEY_TOKEN_ROTATION_GRACE_SEC = '30'
    expect(resolveConfig({ dataDir: '/tmp/x' }).tokenRotationGraceMs).toBe(30_000)
    expect(resolveConfig({ dataDir: '/tmp/x', tokenRotationGraceSec: 0 }).tokenRotationGraceMs).toBe(0)
  })

  it('refuses a value that is not a number of seconds, naming the variable', () => {
    process.env.PARLEY_TOKEN_ROTATION_GRACE_SEC = 'ten minutes'
    expect(() => resolveConfig({ dataDir: '/tmp/x' })).toThrow(/PARLEY_TOKEN_ROTATION_GRACE_SEC/)
    process.env.PARLEY_TOKEN_ROTATION_GRACE_SEC = '-5'
    expect(() => resolveConfig({ dataDir: '/tmp/x' })).toThrow(/PARLEY_TOKEN_ROTATION_GRACE_SEC/)
  })
})
