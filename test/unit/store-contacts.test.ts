// The device's contacts store domain (store/contacts): contact events from the log become friends, requests and
// the blocklist; a full list replaces them and the entries it already holds are skipped; a list older than what
// the device applied is refused; a bad event is quarantined without holding up the batch; titles and profiles.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openMessageStore } from '../../src/main/core/store'
import type { MessageStore } from '../../src/main/core/store/types'
import { pb } from '../../src/shared/proto/codec'
import type { UserProfile } from '../../src/shared/model/contacts'

const Kind = pb.ContactEvent.Kind

function contactEvent(seq: number, kind: number, peer: string, extra: { message?: string; remark?: string } = {}) {
  return { seq, kind: 'contact' as const, raw: pb.Event.encode({ seq, contact: { kind, peer, at: 1_000 + seq, ...extra } }).finish() }
}

function profile(user: string, nickname: string, updatedAt: number): UserProfile {
  return { user, nickname, signature: '', statusText: '', attributes: {}, deleted: false, exists: true, updatedAt }
}

describe('contacts store domain', () => {
  let store: MessageStore

  beforeEach(async () => {
    store = await openMessageStore(':memory:')
  })

  afterEach(async () => {
    await store.close()
  })

  const apply = (cursor: number, events: ReturnType<typeof contactEvent>[]) => store.applyEvents([], cursor, null, { userEvents: events })

  it('applies requests, acceptance, remark, removal, block and unblock in log order', async () => {
    const contacts = store.domains.contacts
    await apply(2, [contactEvent(1, Kind.KIND_REQUEST_RECEIVED, 'Bob', { message: 'hi' }), contactEvent(2, Kind.KIND_REQUEST_SENT, 'carol', { message: 'yo' })])
    expect(await contacts.state()).toMatchObject({ incoming: [{ peer: 'bob', message: 'hi' }], outgoing: [{ peer: 'carol', message: 'yo' }], friends: [] })
    expect(await contacts.relationOf('BOB', 'me')).toBe('incoming')

    const result = await apply(4, [contactEvent(3, Kind.KIND_FRIEND_ADDED, 'bob'), contactEvent(4, Kind.KIND_REMARK_CHANGED, 'bob', { remark: 'Bobby' })])
    expect(result.userEvents.map((e) => (e.change as { kind: string }).kind)).toEqual(['friendAdded', 'remarkChanged'])
    expect(await contacts.state()).toMatchObject({ friends: [{ user: 'bob', remark: 'Bobby' }], incoming: [] })
    expect(await contacts.titleOf('bob')).toBe('Bobby')

    await apply(7, [contactEvent(5, Kind.KIND_REQUEST_DECLINED, 'carol'), contactEvent(6, Kind.KIND_FRIEND_REMOVED, 'bob'), contactEvent(7, Kind.KIND_BLOCKED, 'dave')])
    expect(await contacts.state()).toEqual({ friends: [], incoming: [], outgoing: [], blocked: ['dave'] })
    expect(await contacts.titleOf('bob')).toBeNull()
    await apply(8, [contactEvent(8, Kind.KIND_UNBLOCKED, 'dave')])
    expect((await contacts.state()).blocked).toEqual([])
  })

  it('a full list replaces the contacts; entries it already holds are skipped, later ones applied', async () => {
    const contacts = store.domains.contacts
    await apply(3, [contactEvent(3, Kind.KIND_BLOCKED, 'old')])
    expect(await contacts.listSeq()).toBeNull()
    expect(await contacts.replaceList({ friends: [{ user: 'bob', remark: '', since: 1 }], incoming: [], outgoing: [], blocked: [] }, 10)).toBe('applied')
    expect(await contacts.listSeq()).toBe(10)
    expect(await contacts.state()).toMatchObject({ friends: [{ user: 'bob' }], blocked: [] })
    // Seq 9 is inside the list (already counted); 11 is after it.
    await apply(11, [contactEvent(9, Kind.KIND_FRIEND_REMOVED, 'bob'), contactEvent(11, Kind.KIND_REMARK_CHANGED, 'bob', { remark: 'B' })])
    expect((await contacts.state()).friends).toMatchObject([{ user: 'bob', remark: 'B' }])
  })

  it('refuses a list older than what the device applied (those entries would be lost)', async () => {
    const contacts = store.domains.contacts
    await apply(12, [contactEvent(12, Kind.KIND_REQUEST_RECEIVED, 'eve')])
    expect(await contacts.replaceList({ friends: [], incoming: [], outgoing: [], blocked: [] }, 11)).toBe('stale')
    expect((await contacts.state()).incoming).toMatchObject([{ peer: 'eve' }])
    expect(await contacts.listSeq()).toBeNull()
    await contacts.forgetList()
    expect(await contacts.replaceList({ friends: [], incoming: [{ peer: 'eve', message: '', at: 5 }], outgoing: [], blocked: [] }, 12)).toBe('applied')
  })

  it('quarantines an event with no valid peer and goes on with the batch', async () => {
    const result = await apply(2, [contactEvent(1, Kind.KIND_BLOCKED, ''), contactEvent(2, Kind.KIND_BLOCKED, 'zed')])
    expect(result.quarantined.map((q) => q.seq)).toEqual([1])
    expect((await store.domains.contacts.state()).blocked).toEqual(['zed'])
    expect(await store.getCursor()).toBe(2)
  })

  it('keeps the newest profile and takes the nickname as a title when there is no remark', async () => {
    const contacts = store.domains.contacts
    expect(await contacts.putProfiles([profile('bob', 'Bob Ström', 20)])).toHaveLength(1)
    expect(await contacts.putProfiles([profile('bob', 'older', 10)])).toHaveLength(0)
    expect((await contacts.profiles(['BOB']))[0]?.nickname).toBe('Bob Ström')
    expect(await contacts.titleOf('bob')).toBe('Bob Ström')
  })
})
