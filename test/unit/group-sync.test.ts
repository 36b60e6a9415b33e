// GroupSync on a real SQLite store (in memory) with the server's answers scripted: membership events start and end
// a group's sync, a push at cursor + 1 is applied without asking, a gap asks group_sync for that group alone,
// has_more pages on, not_member stops the group, cursor_expired jumps to the head, and notices never count as unread;
// group ids are read in their canonical form (shared/group-id.ts), as the server reads them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GroupSync } from '../../src/main/core/groups/group-sync'
import type { WireGroupEntry } from '../../src/main/core/groups/entries'
import { openMessageStore, type MessageStore } from '../../src/main/core/store'
import type { GroupCursor } from '../../src/main/core/store/groups'
import { hexToClientId, pb } from '../../src/shared/proto/codec'
import type { parley } from '../../src/shared/proto/gen/parley.js'
import { newId } from './store-helpers'

const ME = 'alice'
const G = 'gtest1'
const GROUP = pb.ChatType.CHAT_TYPE_GROUP
const Kind = pb.MembershipEvent.Kind

function membership(seq: number, kind: number, extra: Partial<parley.v1.IMembershipEvent> = {}): { seq: number; kind: 'membership'; raw: Uint8Array } {
  return { seq, kind: 'membership', raw: pb.Event.encode({ seq, membership: { kind, group: G, groupName: 'Hikers', ...extra } }).finish() }
}

function message(seq: number, from: string, text: string, extra: Partial<parley.v1.ITextBody> = {}): WireGroupEntry {
  return {
    group: G,
    seq,
    message: { serverId: 100 + seq, clientId: hexToClientId(newId()), from, to: G, chatType: GROUP, timestamp: 1_000 + seq, body: { text: { text, ...extra } } }
  }
}

function notice(seq: number): WireGroupEntry {
  return { group: G, seq, notice: { kind: pb.GroupNotice.Kind.KIND_ADDED, actor: 'bob', users: ['carol'], at: 1_000 + seq } }
}

describe('group sync', () => {
  let store: MessageStore
  let requests: GroupCursor[][]
  let answers: Array<parley.v1.IGroupSyncResponse>
  let restarted: string[]
  let stopped: string[]
  let sync: GroupSync

  beforeEach(async () => {
    store = await openMessageStore(':memory:')
    requests = []
    answers = []
    restarted = []
    stopped = []
    sync = new GroupSync({
      store,
      me: ME,
      request: async (cursors) => {
        requests.push(cursors.map((c) => ({ ...c })))
        return answers.shift() ?? { groups: [] }
      },
      activeConversation: () => null,
      onApplied: () => undefined,
      onInfoStale: () => undefined,
      onRestarted: (group) => restarted.push(group),
      onStopped: (group) => stopped.push(group)
    })
    // I joined when the group's log was at 10.
    await store.applyEvents([], 1, null, { userEvents: [membership(1, Kind.KIND_JOINED, { fromSeq: 10, role: 1 })] })
  })

  afterEach(async () => {
    await store.close()
  })

  async function texts(): Promise<string[]> {
    const page = await store.page({ type: 'group', id: G }, null, 100)
    return page.messages.map((m) => (m.content.type === 'text' ? m.content.text : m.content.type))
  }

  it('starts a joined group at its join point and asks once for all cursors, paging a group that has more', async () => {
    expect(await store.domains.groups.cursors()).toEqual([{ group: G, cursor: 10 }])
    answers.push({ groups: [{ group: G, entries: [notice(11), message(12, 'bob', 'hi')], headSeq: 13, hasMore: true }] })
    answers.push({ groups: [{ group: G, entries: [message(13, 'bob', 'again')], headSeq: 13, hasMore: false }] })
    await sync.syncAll()
    expect(requests).toEqual([[{ group: G, cursor: 10 }], [{ group: G, cursor: 12 }]])
    expect(await texts()).toEqual(['notice', 'hi', 'again'])
    expect(await store.domains.groups.cursors()).toEqual([{ group: G, cursor: 13 }])
    // Incoming messages count as unread; the notice does not; the title is the group's name.
    const conversation = await store.getConversation({ type: 'group', id: G })
    expect(conversation?.unreadCount).toBe(2)
    expect(conversation?.title).toBe('Hikers')
  })

  it('applies a push at cursor + 1 without asking; a gap asks group_sync for that group alone', async () => {
    sync.onEntry(message(11, 'bob', 'next'))
    await sync.whenIdle()
    expect(requests).toEqual([])
    expect(await texts()).toEqual(['next'])
    answers.push({ groups: [{ group: G, entries: [message(12, 'bob', 'missed'), message(13, 'bob', 'pushed')], headSeq: 13 }] })
    sync.onEntry(message(13, 'bob', 'pushed'))
    await sync.whenIdle()
    expect(requests).toEqual([[{ group: G, cursor: 11 }]])
    expect(await texts()).toEqual(['next', 'missed', 'pushed'])
    // The same entry again (a late push) changes nothing.
    sync.onEntry(message(12, 'bob', 'missed'))
    await sync.whenIdle()
    expect(requests).toHaveLength(1)
  })

  it('reads the group id of a push and of a group_sync answer as the server does (trimmed, lowercased)', async () => {
    const spelled = ` ${G.toUpperCase()}\t`
    sync.onEntry({ ...message(11, 'bob', 'pushed'), group: spelled })
    await sync.whenIdle()
    expect(requests).toEqual([])
    answers.push({ groups: [{ group: spelled, entries: [message(12, 'bob', 'synced')], headSeq: 12 }] })
    await sync.syncAll()
    expect(await texts()).toEqual(['pushed', 'synced'])
    expect(await store.domains.groups.cursors()).toEqual([{ group: G, cursor: 12 }])
    // An id that cannot be a group's names nothing this device follows: ignored, nothing asked.
    sync.onEntry({ ...message(13, 'bob', 'stray'), group: 'not a group' })
    await sync.whenIdle()
    expect(requests).toHaveLength(1)
    expect(await texts()).toEqual(['pushed', 'synced'])
  })

  it('my own acked send moves the group cursor when it is the next entry, and its echo is not a second copy', async () => {
    const mine = message(11, ME, 'from me')
    sync.onEntry(mine)
    await sync.whenIdle()
    sync.noteOwnAck(G, 12)
    await sync.whenIdle()
    expect(await store.domains.groups.cursors()).toEqual([{ group: G, cursor: 12 }])
    sync.onEntry(mine)
    await sync.whenIdle()
    expect(await texts()).toEqual(['from me'])
    expect((await store.getConversation({ type: 'group', id: G }))?.unreadCount).toBe(0)
  })

  it('counts messages that mention me (or @all) after the read pointer', async () => {
    answers.push({
      groups: [{ group: G, entries: [message(11, 'bob', '@alice look', { mentions: ['alice'] }), message(12, 'bob', '@all hi', { mentionAll: true }), message(13, 'bob', '@carol', { mentions: ['carol'] })] }]
    })
    await sync.syncAll()
    expect((await store.getConversation({ type: 'group', id: G }))?.mentions).toBe(2)
    await store.markRead({ type: 'group', id: G }, 11)
    expect((await store.getConversation({ type: 'group', id: G }))?.mentions).toBe(1)
  })

  it('a removed member follows the group up to its to_seq; not_member stops it; dissolve removes the conversation', async () => {
    answers.push({ groups: [{ group: G, entries: [message(11, 'bob', 'before')] }] })
    await sync.syncAll()
    await store.applyEvents([], 2, null, { userEvents: [membership(2, Kind.KIND_REMOVED, { toSeq: 12, actor: 'bob' })] })
    expect(await store.domains.groups.cursors()).toEqual([{ group: G, cursor: 11 }])
    answers.push({ groups: [{ group: G, entries: [notice(12)], notMember: true }] })
    await sync.syncAll()
    expect(stopped).toEqual([G])
    expect(await store.domains.groups.cursors()).toEqual([])
    expect((await store.domains.groups.get(G))?.state).toBe('removed')
    await store.applyEvents([], 3, null, { userEvents: [membership(3, Kind.KIND_DISSOLVED)] })
    expect(await store.getConversation({ type: 'group', id: G })).toBeNull()
    expect((await store.domains.groups.get(G))?.state).toBe('dissolved')
  })

  it('not_member for a group this device still counts itself in stops following it', async () => {
    answers.push({ groups: [{ group: G, entries: [], headSeq: 10, notMember: true }] })
    await sync.syncAll()
    expect(await store.domains.groups.cursors()).toEqual([])
    expect((await store.domains.groups.get(G))?.state).toBe('removed')
    await sync.syncAll()
    expect(requests).toHaveLength(1)
  })

  it('an expired cursor jumps to the head and asks for the newest page', async () => {
    answers.push({ groups: [{ group: G, entries: [], headSeq: 500, cursorExpired: true }] })
    await sync.syncAll()
    expect(restarted).toEqual([G])
    expect(await store.domains.groups.cursors()).toEqual([{ group: G, cursor: 500 }])
  })
})
