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

/** One row of the batch's read: a stored resend (part 1), a party's log head (part 2) or a disappearing timer (3). */
interface BatchReadRow extends MessageColumns {
  part: number
  owner: string | null
  head: number | null
  conversation: string | null
  disappear_sec: number | null
}
const READ_STORED = 1
const READ_HEAD = 2
const READ_TIMER = 3

export function createPostgresAppender({ db, hooks }: StoreCoreContext): { appendGroups: AppendGroups; commitStats(): CommitStats } {
  // PostgreSQL's own SQL (the dialect leaves $n, quoted names and casts as they are). The write lock is held from the
  // first statement to COMMIT, so the batch costs four round trips under it: BEGIN with the lock, ONE read (resends,
  // log heads, timers as the parts of a UNION ALL) and ONE write (messages, log entries and conversation summaries
  // as data-modifying CTEs), then COMMIT.
  // Every lookup is one index probe per key (LATERAL ... LIMIT 1, a MAX subquery per party), which the planner cannot
  // turn into a scan: a generic plan made while the tables were young would otherwise scan them on every batch.
  const none = (columns: string): string =>
    columns.split(',').map((column) => `NULL::${column.trim()}`).join(', ')
  const NO_MESSAGE = none('bigint, text, bytea, text, bigint, bigint, bytea, bigint, text, bigint, bigint, bigint')
  const batchRead = db.prepare<[string[], Buffer[], string[], string[], string[]], BatchReadRow>(
    `SELECT ${READ_STORED} AS part, ${MESSAGE_COLUMNS},
         NULL::text AS owner, NULL::bigint AS head, NULL::text AS conversation, NULL::bigint AS disappear_sec
       FROM unnest($1::text[], $2::bytea[]) AS k(sender, client_id)
       CROSS JOIN LATERAL (SELECT * FROM messages WHERE sender = k.sender AND client_id = k.client_id LIMIT 1) AS m
     UNION ALL
     SELECT ${READ_HEAD}, ${NO_MESSAGE}, k.owner, (SELECT MAX(seq) FROM user_log WHERE "user" = k.owner), NULL::text, NULL::bigint
       FROM unnest($3::text[]) AS k(owner)
     UNION ALL
     SELECT ${READ_TIMER}, ${NO_MESSAGE}, k.owner, NULL::bigint, k.conversation, s.disappear_sec
       FROM unnest($4::text[], $5::text[]) AS k(owner, conversation)
       CROSS JOIN LATERAL (SELECT disappear_sec FROM conversation_settings
          WHERE "user" = k.owner AND conversation = k.conversation AND chat_type = 0 LIMIT 1) AS s`
  )
  // Log entries find their message's new server_id by its key (sender, client id) among the inserted rows.
  const batchWrite = db.prepare<unknown[], { server_id: number; sender: string; client_id: Uint8Array }>(
    `WITH inserted AS (
       INSERT INTO messages (sender, client_id, recipient, chat_type, ts, body, sender_seq, recipient_seq, expires_at, burn_sec)
       SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[], $4::bigint[], $5::bigint[], $6::bytea[], $7::bigint[],
         $8::bigint[], $9::bigint[], $10::bigint[])
       RETURNING server_id, sender, client_id
     ), entries AS (
       INSERT INTO user_log ("user", seq, conversation, chat_type, kind, server_id, outgoing, at)
       SELECT e.u, e.s, e.c, e.t, ${KIND_MESSAGE}, i.server_id, e.o, e.a
         FROM unnest($11::text[], $12::bytea[], $13::text[], $14::bigint[], $15::text[], $16::bigint[], $17::bigint[],
           $18::bigint[]) AS e(ks, kc, u, s, c, t, o, a)
         JOIN inserted AS i ON i.sender = e.ks AND i.client_id = e.kc
     ), summaries AS (
       INSERT INTO conversations ("user", conversation, chat_type, last_message_seq, unread)
       SELECT * FROM unnest($19::text[], $20::text[], $21::bigint[], $22::bigint[], $23::bigint[])
       ON CONFLICT ("user", conversation, chat_type)
       DO UPDATE SET last_message_seq = excluded.last_message_seq, unread = conversations.unread + excluded.unread
     )
     SELECT server_id, sender, client_id FROM inserted`
  )
  const commitTimer = createCommitTimer()
  const inAppendTransaction = createAppendTransaction(db, hooks, commitTimer)

  /** Decides and writes the one-to-one messages of the open transaction; fills each plan's result. */
  const appendSingles = (plans: Planned[]): void => {
    if (plans.length === 0) return
    const parties = [...new Set(plans.flatMap((plan) => [plan.input.sender, plan.input.recipient]))]
    const needTimer = plans.filter((plan) => plan.input.expiresAt === undefined && plan.input.chatType === 0)
    const rows = batchRead.all(
      plans.map((plan) => plan.input.sender), plans.map((plan) => plan.clientId), parties,
      needTimer.map((plan) => plan.input.sender), needTimer.map((plan) => plan.input.recipient)
    )
    const stored = new Map<string, MessageColumns>()
    const next = new Map<string, number>()
    const timerOf = new Map<string, number>()
    for (const row of rows) {
      if (row.part === READ_STORED) stored.set(keyOf(row.sender, row.client_id), row)
      else if (row.part === READ_HEAD && row.head !== null) next.set(row.owner as string, row.head)
      else if (row.part === READ_TIMER) timerOf.set(`${row.owner as string}\u0000${row.conversation as string}`, row.disappear_sec as number)
    }
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

  /** Writes the batch's new messages, their log entries and conversation summaries in one statement. */
  const writeFresh = (fresh: Planned[]): void => {
    const entries: { plan: Planned; user: string; seq: number; conversation: string; outgoing: number }[] = []
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
      const { sender, recipient, chatType } = plan.input
      entries.push({ plan, user: sender, seq: plan.senderSeq, conversation: recipient, outgoing: 1 })
      noteSummary(sender, recipient, chatType, plan.senderSeq, 0)
      if (sender !== recipient) {
        entries.push({ plan, user: recipient, seq: plan.recipientSeq, conversation: sender, outgoing: 0 })
        noteSummary(recipient, sender, chatType, plan.recipientSeq, 1)
      }
    }
    const column = <T>(pick: (plan: Planned) => T): T[] => fresh.map(pick)
    const summaryRows = [...summaries.values()]
    const inserted = batchWrite.all(
      column((p) => p.input.sender), column((p) => p.clientId), column((p) => p.input.recipient), column((p) => p.input.chatType),
      column((p) => p.input.timestamp), column((p) => asBuffer(p.input.body)), column((p) => p.senderSeq),
      column((p) => p.recipientSeq), column((p) => p.expiresAt), column((p) => p.input.burnAfterReadSec ?? null),
      entries.map((e) => e.plan.input.sender), entries.map((e) => e.plan.clientId), entries.map((e) => e.user),
      entries.map((e) => e.seq), entries.map((e) => e.conversation), entries.map((e) => e.plan.input.chatType),
      entries.map((e) => e.outgoing), entries.map((e) => e.plan.input.timestamp),
      summaryRows.map((r) => r.user), summaryRows.map((r) => r.conversation), summaryRows.map((r) => r.chatType),
      summaryRows.map((r) => r.lastSeq), summaryRows.map((r) => r.unread)
    )
    const serverIdOf = new Map(inserted.map((row) => [keyOf(row.sender, row.client_id), row.server_id]))
    for (const plan of fresh) {
      const serverId = serverIdOf.get(plan.key)
      // Thrown inside the transaction, so nothing of the batch commits (its log entries would lack their message).
      if (serverId === undefined) throw new Error('A message insert returned no id (a concurrent writer without the lock?).')
      const input = plan.expiresAt === null ? plan.input : { ...plan.input, expiresAt: plan.expiresAt }
      plan.result = { message: storedMessageFrom(input, serverId, plan.senderSeq), duplicate: false, recipientSeq: plan.recipientSeq }
    }
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
