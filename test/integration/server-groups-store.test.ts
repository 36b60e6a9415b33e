// The groups store through its interface, on the real SQLite worker: a group send is decided inside the append
// transaction, so a ban committed while the send waits is honoured; a refused send leaves the other sends of the
// same commit alone and writes no row; resends keep their original ack; group heads survive a rolled-back commit.
import crypto from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { ErrorCode, pb } from '../../src/shared/proto/codec'
import { isGroupRefusal, type GroupChangeResult } from '../../src/server/store/groups/types'
import type { NewMessage, ServerStore } from '../../src/server/store/types'
import { makeTempDir, removeDir } from '../support/test-server'
import { openTestStore } from '../support/test-database'

process.env.PARLEY_LOG ??= 'warn'

const SINGLE = 0
const GROUP = 1
const dirs: string[] = []
const open: ServerStore[] = []

afterEach(async () => {
  for (const store of open.splice(0)) await store.close()
  for (const dir of dirs.splice(0)) removeDir(dir)
})

async function openStore(): Promise<ServerStore> {
  const dir = makeTempDir()
  dirs.push(dir)
  const store = await openTestStore(dir)
  open.push(store)
  for (const name of ['ann', 'ben', 'cid']) await store.createUser(name, 'hash', Date.now())
  return store
}

function message(sender: string, recipient: string, text: string, chatType = GROUP, clientId = crypto.randomBytes(16)): NewMessage {
  return {
    sender,
    recipient,
    clientId: new Uint8Array(clientId),
    chatType,
    timestamp: Date.now(),
    body: pb.Body.encode({ text: { text } }).finish()
  }
}

function groupOf(result: GroupChangeResult): string {
  if (isGroupRefusal(result)) throw new Error(result.refusal.message)
  return result.group
}

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((sum, n) => sum + n, 0)

describe('groups store', () => {
  it('decides a send at its commit: a ban that landed first refuses it, the rest of the commit stands, nothing is written', async () => {
    const store = await openStore()
    const group = groupOf(
      await store.changeGroup('ann', { op: 'create', name: 'G', description: '', settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 200 }, members: ['ben'] }, Date.now())
    )
    const before = await store.tableRowCounts()
    // Both calls are in flight together (as a send queued before a ban is answered): the worker takes them in order
    // and the send, decided inside its own commit, sees the ban.
    const banning = store.changeGroup('ann', { op: 'ban', group, user: 'ben', banned: true }, Date.now())
    const sending = store.appendMessages([message('ben', group, 'too late'), message('ann', 'cid', 'a 1:1 in the same commit', SINGLE)])
    const banned = await banning
    const [refused, single] = await sending
    expect(isGroupRefusal(banned)).toBe(false)
    expect(refused?.refusal?.code).toBe(ErrorCode.ERROR_BANNED)
    expect(single?.refusal).toBeUndefined()
    expect(single?.message.serverId).toBeGreaterThan(0)
    const after = await store.tableRowCounts()
    // The ban wrote its rows (ban, notice, departure, membership event, member count); the refused send wrote none:
    // the only messages row is the 1:1 one.
    expect((after.messages ?? 0) - (before.messages ?? 0)).toBe(1)
    expect((after.group_log ?? 0) - (before.group_log ?? 0)).toBe(1)
    expect(total(after) - total(before)).toBeGreaterThan(0)
  })

  it('answers a resend with the original ack even after the sender was muted, and counts group seqs on', async () => {
    const store = await openStore()
    const group = groupOf(
      await store.changeGroup('ann', { op: 'create', name: 'G', description: '', settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 200 }, members: ['ben'] }, Date.now())
    )
    const clientId = crypto.randomBytes(16)
    const [first] = await store.appendMessages([message('ben', group, 'once', GROUP, clientId)])
    await store.changeGroup('ann', { op: 'mute', group, user: 'ben', until: Date.now() + 60_000 }, Date.now())
    const [again] = await store.appendMessages([message('ben', group, 'once', GROUP, clientId)])
    expect(again?.duplicate).toBe(true)
    expect(again?.message.serverId).toBe(first?.message.serverId)
    expect(again?.message.senderSeq).toBe(first?.message.senderSeq)
    const [fresh] = await store.appendMessages([message('ben', group, 'muted now')])
    expect(fresh?.refusal?.code).toBe(ErrorCode.ERROR_MUTED)
    const [owner] = await store.appendMessages([message('ann', group, 'owner speaks')])
    // created (1), added (2), ben's message (3), muted notice (4), then this one.
    expect(owner?.message.senderSeq).toBe(5)
  })

  it('forgets the group seqs of a commit that rolled back', async () => {
    const store = await openStore()
    const group = groupOf(
      await store.changeGroup('ann', { op: 'create', name: 'G', description: '', settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 200 }, members: [] }, Date.now())
    )
    // A batch whose second message cannot be stored (a chat type the STRICT table refuses) fails as a whole after
    // the group message took seq 2 inside it; the next group message must get seq 2 again.
    const broken = message('ann', 'ben', 'bad', 0.5)
    await expect(store.appendMessages([message('ann', group, 'rolled back'), broken])).rejects.toThrow()
    const [next] = await store.appendMessages([message('ann', group, 'kept')])
    expect(next?.message.senderSeq).toBe(2)
    const history = await store.groupHistory('ann', group, 0, 10, Date.now())
    // Seq 1 is the "created" notice; the one message is the kept one, at seq 2.
    expect(Array.isArray(history) ? history.map((row) => [row.seq, row.message ? 'message' : 'notice']) : history).toEqual([
      [2, 'message'],
      [1, 'notice']
    ])
  })
})
