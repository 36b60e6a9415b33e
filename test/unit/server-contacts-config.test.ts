// Covers the contacts settings read from the environment: PARLEY_ALLOW_STRANGERS and
// PARLEY_DELETED_NAME_RESERVE_DAYS, their defaults, and the sentences for values that mean nothing.
import { describe, expect, it } from 'vitest'
import { contactsConfigFromEnv, DEFAULT_DELETED_NAME_RESERVE_DAYS } from '../../src/server/services/contacts/config'

describe('contactsConfigFromEnv', () => {
  it('allows strangers and reserves a deleted name for 30 days by default', () => {
    expect(contactsConfigFromEnv({})).toEqual({ allowStrangers: true, deletedNameReserveMs: DEFAULT_DELETED_NAME_RESERVE_DAYS * 86_400_000 })
  })

  it('reads both settings, with 0 days freeing a name at once', () => {
    expect(contactsConfigFromEnv({ PARLEY_ALLOW_STRANGERS: ' FALSE ', PARLEY_DELETED_NAME_RESERVE_DAYS: '0' })).toEqual({
      allowStrangers: false,
      deletedNameReserveMs: 0
    })
    expect(contactsConfigFromEnv({ PARLEY_ALLOW_STRANGERS: '1', PARLEY_DELETED_NAME_RESERVE_DAYS: '0.5' })).toEqual({
      allowStrangers: true,
      deletedNameReserveMs: 43_200_000
    })
  })

  it('refuses values that mean nothing, naming the variable', () => {
    expect(() => contactsConfigFromEnv({ PARLEY_ALLOW_STRANGERS: 'maybe' })).toThrow(/PARLEY_ALLOW_STRANGERS/)
    expect(() => contactsConfigFromEnv({ PARLEY_DELETED_NAME_RESERVE_DAYS: '-1' })).toThrow(/PARLEY_DELETED_NAME_RESERVE_DAYS/)
    expect(() => contactsConfigFromEnv({ PARLEY_DELETED_NAME_RESERVE_DAYS: 'soon' })).toThrow(/PARLEY_DELETED_NAME_RESERVE_DAYS/)
  })
})
