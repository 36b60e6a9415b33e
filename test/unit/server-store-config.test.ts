// Covers the storage settings read from the environment: durable commits unless NORMAL is asked for, retention
// off unless a number of days is given, the cluster's PostgreSQL and Redis addresses, and a clear refusal of the rest.
import { describe, expect, it } from 'vitest'
import { retentionCutoff, storageConfigFromEnv } from '../../src/server/config'

describe('storage settings', () => {
  it('defaults to fsync before every ack and to keeping every log entry', () => {
    expect(storageConfigFromEnv({})).toEqual({ logRetentionDays: 0, sqliteSynchronous: 'FULL', databaseUrl: null, redisUrl: null })
  })

  it('accepts NORMAL as an opt-out and a retention in days', () => {
    expect(storageConfigFromEnv({ PARLEY_SQLITE_SYNCHRONOUS: 'normal', PARLEY_LOG_RETENTION_DAYS: '30' })).toEqual({
      logRetentionDays: 30,
      sqliteSynchronous: 'NORMAL',
      databaseUrl: null,
      redisUrl: null
    })
    expect(retentionCutoff(30, 31 * 86_400_000)).toBe(86_400_000)
  })

  it('reads the cluster engines (PostgreSQL store, Redis bus) and refuses addresses of anything else', () => {
    const config = storageConfigFromEnv({ PARLEY_DATABASE_URL: ' postgres://p:s@127.0.0.1:5432/parley ', PARLEY_REDIS_URL: 'redis://127.0.0.1:6379' })
    expect(config.databaseUrl).toBe('postgres://p:s@127.0.0.1:5432/parley')
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379')
    expect(() => storageConfigFromEnv({ PARLEY_DATABASE_URL: 'mysql://127.0.0.1/parley' })).toThrow(/PARLEY_DATABASE_URL/)
    expect(() => storageConfigFromEnv({ PARLEY_REDIS_URL: '127.0.0.1:6379' })).toThrow(/PARLEY_REDIS_URL/)
  })

  it('refuses a synchronous mode it does not offer and a retention that is not a number of days', () => {
    expect(() => storageConfigFromEnv({ PARLEY_SQLITE_SYNCHRONOUS: 'OFF' })).toThrow(/FULL or NORMAL/)
    expect(() => storageConfigFromEnv({ PARLEY_LOG_RETENTION_DAYS: 'a week' })).toThrow(/PARLEY_LOG_RETENTION_DAYS/)
    expect(() => storageConfigFromEnv({ PARLEY_LOG_RETENTION_DAYS: '-1' })).toThrow(/PARLEY_LOG_RETENTION_DAYS/)
  })
})
