// Covers the storage settings read from the environment: durable commits unless NORMAL is asked for, retention
// off unless a number of days is given, and a clear refusal of anything else.
import { describe, expect, it } from 'vitest'
import { retentionCutoff, storageConfigFromEnv } from '../../src/server/config'

describe('storage settings', () => {
  it('defaults to fsync before every ack and to keeping every log entry', () => {
    expect(storageConfigFromEnv({})).toEqual({ logRetentionDays: 0, sqliteSynchronous: 'FULL' })
  })

  it('accepts NORMAL as an opt-out and a retention in days', () => {
    expect(storageConfigFromEnv({ PARLEY_SQLITE_SYNCHRONOUS: 'normal', PARLEY_LOG_RETENTION_DAYS: '30' })).toEqual({
      logRetentionDays: 30,
      sqliteSynchronous: 'NORMAL'
    })
    expect(retentionCutoff(30, 31 * 86_400_000)).toBe(86_400_000)
  })

  it('refuses a synchronous mode it does not offer and a retention that is not a number of days', () => {
    expect(() => storageConfigFromEnv({ PARLEY_SQLITE_SYNCHRONOUS: 'OFF' })).toThrow(/FULL or NORMAL/)
    expect(() => storageConfigFromEnv({ PARLEY_LOG_RETENTION_DAYS: 'a week' })).toThrow(/PARLEY_LOG_RETENTION_DAYS/)
    expect(() => storageConfigFromEnv({ PARLEY_LOG_RETENTION_DAYS: '-1' })).toThrow(/PARLEY_LOG_RETENTION_DAYS/)
  })
})
