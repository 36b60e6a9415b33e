// Owns the group commit on PostgreSQL: the same appends as core/append.ts, with the one-to-one messages of a batch
// written by a fixed number of statements (array parameters) instead of several per message, since each is a round trip.
import { storedMessageFrom, type AppendResult, type NewMessage } from '../records'
import { appendInOneOrEach, createAppendTransaction, type AppendGroups } from '../core/append'
import { createCommitTimer, type CommitStats } from '../core/commit-stats'
import type { StoreCoreContext } from '../core/context'
import { asBuffer, CHAT_TYPE_GROUP, KIND_MESSAGE, MESSAGE_COLUMNS, toMessage, type MessageColumns } from '../core/log-rows'

/** A one-to-one message of the batch and what the batch decided for it. */
interface Planned {
  input: NewMessage
  clientId: Buffer
  key: string
  senderSeq: number
  recipientSeq: number
  expiresAt: number | null
  /** The result, once known (duplicates at once, new messages after the insert). */
  result: AppendResult | null
}

/** Bytes read back arrive as plain Uint8Arrays (cloned from the I/O thread), so the key is built from a view. */
const keyOf = (sender: string, clientId: Uint8Array): string =>
  `${sender}\u0000${Buffer.from(clientId.buffer, clientId.byteOffset, clientId.byteLength).toString('hex')}`

export function createPostgresAppender({ db, hooks }: StoreCoreContext): { appendGroups: AppendGroups; commitStats(): CommitStats } {
  // PostgreSQL's own SQL (the dialect leaves $n, quoted names and casts as they are).
  // Lookups by key are written as one index probe per key (LATERAL ... LIMIT 1, which the planner cannot turn into a
  // join): without statistics on a young table it would otherwise hash-join the batch against a scan of the table.
  const existing = db.prepare<[string[], Buffer[]], MessageColumns>(
    `SELECT ${MESSAGE_COLUMNS} FROM unnest($1::text[], $2::bytea[]) AS k(sender, client_id)
       CROSS JOIN LATERAL (SELECT * FROM messages WHERE sender = k.sender AND client_id = k.client_id LIMIT 1) AS m`
  )
  // One descent of the (user, seq) key per party: a user's log can hold millions of entries.
  const heads = db.prepare<[string[]], { owner: string; head: number | null }>(
    'SELECT k.owner, (SELECT MAX(seq) FROM user_log WHERE "user" = k.owner) AS head FROM unnest($1::text[]) AS k(owner)'
  )
  const timers = db.prepare<[string[], string[]], { owner: string; conversation: string; disappear_sec: number }>(
    `SELECT k.owner, k.conversation, s.disappear_sec FROM unnest($1::text[], $2::text[]) AS k(owner, conversation)
       CROSS JOIN LATERAL (SELECT disappear_sec FROM conversation_settings
          WHERE "user" = k.owner AND conversation = k.conversation AND chat_type = 0 LIMIT 1) AS s`
  )
  const insertMessages = db.prepare<unknown[], { server_id: number; sender: string; client_id: Uint8Array }>(
    `INSERT INTO messages (sender, client_id, recipient, chat_type, ts, body, sender_seq, recipient_seq, expires_at, burn_sec)
     SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[], $4::bigint[], $5::bigint[], $6::bytea[], $7::bigint[],
       $8::bigint[], $9::bigint[], $10::bigint[])
     RETURNING server_id, sender, client_id`
  )
  const insertEntries = db.prepare<unknown[]>(
    `INSERT INTO user_log ("user", seq, conversation, chat_type, kind, server_id, outgoing, at)
     SELECT u, s, c, t, ${KIND_MESSAGE}, i, o, a FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[],
       $6::bigint[], $7::bigint[]) AS e(u, s, c, t, i, o, a)`
  )
  const touchConversations = db.prepare<unknown[]>(
    `INSERT INTO conversations ("user", conversation, chat_type, last_message_seq, unread)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[])
     ON CONFLICT ("user", conversation, chat_type)
     DO UPDATE SET last_message_seq = excluded.last_message_seq, unread = conversations.unread + excluded.unread`
  )
  const commitTimer = createCommitTimer()
  const inAppendTransaction = createAppendTransaction(db, hooks, commitTimer)

  /** Decides and writes the one-to-one messages of the open transaction; fills each plan's result. */
  const appendSingles = (plans: Planned[]): void => {
    if (plans.length === 0) return
    const stored = new Map(
      existing.all(plans.map((plan) => plan.input.sender), plans.map((plan) => plan.clientId)).map((row) => [keyOf(row.sender, row.client_id), row])
    )
    const parties = [...new Set(plans.flatMap((plan) => [plan.input.sender, plan.input.recipient]))]
    const next = new Map(heads.all(parties).map((row) => [row.owner, row.head]))
    const needTimer = plans.filter((plan) => plan.input.expiresAt === undefined && plan.input.chatType === 0)
    const timerOf = new Map(
      timers.all(needTimer.map((plan) => plan.input.sender), needTimer.map((plan) => plan.input.recipient))
        .map((row) => [`${row.owner}\u0000${row.conversation}`, row.disappear_sec])
    )
    const fresh: Planned[] = []
    const firstOfKey = new Map<string, Planned>()
    for (const plan of plans) {
      const original = stored.get(plan.key)
      if (original) {
        plan.result = { message: toMessage(original), duplicate: true, recipientSeq: null }
        continue
      }
      // A resend inside the same batch is a duplicate of the first (answered once that one is stored).
      if (firstOfKey.has(plan.key)) continue
      firstOfKey.set(plan.key, plan)
      const { sender, recipient } = plan.input
      plan.senderSeq = (next.get(sender) ?? 0) + 1
      next.set(sender, plan.senderSeq)
      plan.recipientSeq = sender === recipient ? plan.senderSeq : (next.get(recipient) ?? 0) + 1
      next.set(recipient, plan.recipientSeq)
      const seconds = timerOf.get(`${sender}\u0000${recipient}`) ?? 0
      plan.expiresAt = plan.input.expiresAt ?? (seconds > 0 ? plan.input.timestamp + seconds * 1000 : null)
      fresh.push(plan)
    }
    if (fresh.length > 0) writeFresh(fresh)
    for (const plan of plans) {
      if (plan.result) continue
      const first = firstOfKey.get(plan.key) as Planned
      plan.result = { message: (first.result as AppendResult).message, duplicate: true, recipientSeq: null }
    }
  }

  const writeFresh = (fresh: Planned[]): void => {
    const column = <T>(pick: (plan: Planned) => T): T[] => fresh.map(pick)
    const inserted = insertMessages.all(
      column((p) => p.input.sender), column((p) => p.clientId), column((p) => p.input.recipient), column((p) => p.input.chatType),
      column((p) => p.input.timestamp), column((p) => asBuffer(p.input.body)), column((p) => p.senderSeq),
      column((p) => p.recipientSeq), column((p) => p.expiresAt), column((p) => p.input.burnAfterReadSec ?? null)
    )
    const serverIdOf = new Map(inserted.map((row) => [keyOf(row.sender, row.client_id), row.server_id]))
    const entries: { user: string; seq: number; conversation: string; chatType: number; serverId: number; outgoing: number; at: number }[] = []
    const summaries = new Map<string, { user: string; conversation: string; chatType: number; lastSeq: number; unread: number }>()
    const noteSummary = (user: string, conversation: string, chatType: number, seq: number, unread: number): void => {
      const key = `${user}\u0000${conversation}\u0000${chatType}`
      const summary = summaries.get(key)
      if (summary) {
        summary.lastSeq = seq
        summary.unread += unread
      } else summaries.set(key, { user, conversation, chatType, lastSeq: seq, unread })
    }
    for (const plan of fresh) {
      const { sender, recipient, chatType, timestamp } = plan.input
      const serverId = serverIdOf.get(plan.key)
      if (serverId === undefined) throw new Error('A message insert returned no id (a concurrent writer without the lock?).')
      entries.push({ user: sender, seq: plan.senderSeq, conversation: recipient, chatType, serverId, outgoing: 1, at: timestamp })
      noteSummary(sender, recipient, chatType, plan.senderSeq, 0)
      if (sender !== recipient) {
        entries.push({ user: recipient, seq: plan.recipientSeq, conversation: sender, chatType, serverId, outgoing: 0, at: timestamp })
        noteSummary(recipient, sender, chatType, plan.recipientSeq, 1)
      }
      const input = plan.expiresAt === null ? plan.input : { ...plan.input, expiresAt: plan.expiresAt }
      plan.result = { message: storedMessageFrom(input, serverId, plan.senderSeq), duplicate: false, recipientSeq: plan.recipientSeq }
    }
    insertEntries.run(
      entries.map((e) => e.user), entries.map((e) => e.seq), entries.map((e) => e.conversation), entries.map((e) => e.chatType),
      entries.map((e) => e.serverId), entries.map((e) => e.outgoing), entries.map((e) => e.at)
    )
    const rows = [...summaries.values()]
    touchConversations.run(
      rows.map((r) => r.user), rows.map((r) => r.conversation), rows.map((r) => r.chatType), rows.map((r) => r.lastSeq), rows.map((r) => r.unread)
    )
  }

  const commitGroups = (groups: readonly (readonly NewMessage[])[]): AppendResult[][] =>
    inAppendTransaction(groups, () => {
      const singles: Planned[] = []
      const slots = groups.map((group) =>
        group.map((input): Planned | AppendResult => {
          if (input.chatType === CHAT_TYPE_GROUP) {
            // A group message is stored once, in the group's log, by the groups domain (decided there).
            if (!hooks.appendGroupMessage) throw new Error('No groups domain is open to store a group message.')
            return hooks.appendGroupMessage(input)
          }
          const clientId = asBuffer(input.clientId)
          const plan: Planned = { input, clientId, key: keyOf(input.sender, clientId), senderSeq: 0, recipientSeq: 0, expiresAt: null, result: null }
          singles.push(plan)
          return plan
        })
      )
      appendSingles(singles)
      return slots.map((group) => group.map((slot) => ('input' in slot ? (slot.result as AppendResult) : slot)))
    })

  return { appendGroups: appendInOneOrEach(commitGroups), commitStats: commitTimer.stats }
}
