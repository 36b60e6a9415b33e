// Owns the device's groups tables: membership events applied in the sync batch (my standing, join point, the
// end of what I may read), the server's description as last known, one cursor per group's log, and @mentions.
import type { ChatMessage, Conversation, ConversationKey, GroupInfo, GroupMembershipChange, GroupMembershipState, GroupRole, GroupSummary } from '../../../../shared/model'
import { pb } from '../../../../shared/proto/codec'
import { canonicalUserId } from '../../../../shared/user-id'
import type { StoreDomain, StoreDomainContext, UserEventRecord } from '../domain-types'
import { StoreError } from '../errors'

interface GroupRow {
  group_id: string
  name: string
  description: string
  announcement: string
  is_public: number
  join_needs_approval: number
  invite_needs_consent: number
  max_members: number
  owner: string
  member_count: number
  muted_all: number
  created_at: number
  pinned: string
  my_role: string
  my_muted_until: number
  state: string
  from_seq: number
  to_seq: number
  cursor: number
}

/** A group whose log this device follows, and where it stands in it. */
export interface GroupCursor {
  group: string
  cursor: number
}

/** One group's entries from group_sync or a push, as the store applies them with the cursor in one transaction. */
export interface GroupEntriesBatch {
  group: string
  /** Messages and notices (notices are messages with NoticeContent), ascending seq. */
  messages: ChatMessage[]
  /** Seqs of the messages among them that @mention me (or @all), sent by someone else. */
  mentionSeqs: number[]
  /** The newest seq applied (the cursor moves to it, never back). */
  cursor: number
  /** The conversation on screen: its read pointer follows the new messages. */
  active: ConversationKey | null
}

export interface GroupEntriesApplied {
  messages: ChatMessage[]
  conversations: Conversation[]
}

export interface GroupsStoreApi {
  /** Every group this device knows, by name. */
  list(): Promise<GroupSummary[]>
  get(group: string): Promise<GroupSummary | null>
  /** The groups whose log this device still follows: a member's, and a past member's up to its to_seq. */
  cursors(): Promise<GroupCursor[]>
  applyEntries(batch: GroupEntriesBatch): Promise<GroupEntriesApplied>
  /** The server answered not_member: nothing more to read in this group. */
  stopFollowing(group: string): Promise<GroupSummary | null>
  /** The cursor jumps (a cursor the server no longer keeps): history below comes from the pager. */
  setCursor(group: string, seq: number): Promise<void>
  /** My own send was acked at `seq`: when it is the next entry, the cursor moves over it. */
  noteOwnAck(group: string, seq: number): Promise<void>
  /** The server's description (info, my groups): stored for a group this device knows or, with `adopt`, starts following it at its head. */
  saveInfo(info: GroupInfo, headSeq: number, adopt: boolean): Promise<GroupSummary | null>
}

const ROLES: Record<number, GroupRole> = { 0: 'none', 1: 'member', 2: 'admin', 3: 'owner' }
const MembershipKind = pb.MembershipEvent.Kind

function rowToSummary(row: GroupRow): GroupSummary {
  let pinned: number[] = []
  try {
    const parsed: unknown = JSON.parse(row.pinned)
    if (Array.isArray(parsed)) pinned = parsed.filter((id): id is number => typeof id === 'number')
  } catch {
    // A damaged list shows no pins; the next info refresh writes it again.
  }
  return {
    id: row.group_id,
    name: row.name,
    description: row.description,
    announcement: row.announcement,
    settings: {
      isPublic: row.is_public === 1,
      joinNeedsApproval: row.join_needs_approval === 1,
      inviteNeedsConsent: row.invite_needs_consent === 1,
      maxMembers: row.max_members
    },
    owner: row.owner,
    memberCount: row.member_count,
    mutedAll: row.muted_all === 1,
    dissolved: row.state === 'dissolved',
    createdAt: row.created_at,
    pinned,
    myRole: row.my_role as GroupRole,
    myMutedUntil: row.my_muted_until,
    state: row.state as GroupMembershipState
  }
}

function bad(message: string): StoreError {
  return new StoreError('STORE_BAD_ARGUMENT', message)
}

export function openGroupsStore(context: StoreDomainContext): StoreDomain<GroupsStoreApi> {
  const { db } = context
  const byId = db.prepare<[string], GroupRow>('SELECT * FROM groups WHERE group_id = ?')
  const all = db.prepare<[], GroupRow>('SELECT * FROM groups ORDER BY name, group_id')
  const following = db.prepare<[], { group_id: string; cursor: number }>(
    `SELECT group_id, cursor FROM groups WHERE state = 'member' OR (state IN ('left', 'removed') AND cursor < to_seq)`
  )
  // A rejoin (the row was left or removed) follows from the new join point, never back into the old membership. A
  // row already 'member' when its JOINED event arrives was adopted from the server's group list (a new device's start,
  // adoptMine) at the group's head while this join was still on its way through the log: the entries from the join
  // to that head were never fetched (a group created during the start then had no timeline and no conversation), so
  // the cursor goes back to the join point and group_sync brings them (storing an entry again is an upsert).
  const insertJoined = db.prepare<[string, string, string, number, number, number]>(
    `INSERT INTO groups (group_id, name, my_role, state, from_seq, to_seq, cursor, updated_at) VALUES (?, ?, ?, 'member', ?, 0, ?, ?)
     ON CONFLICT (group_id) DO UPDATE SET name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END,
       my_role = excluded.my_role, state = 'member', from_seq = excluded.from_seq, to_seq = 0,
       cursor = CASE WHEN state = 'member' THEN min(cursor, excluded.cursor) ELSE max(cursor, excluded.cursor) END,
       updated_at = excluded.updated_at`
  )
  const setDeparted = db.prepare<[string, number, number, string]>(
    `UPDATE groups SET state = ?, my_role = 'none', to_seq = ?, updated_at = ? WHERE group_id = ?`
  )
  const insertDeparted = db.prepare<[string, string, string, number, number]>(
    `INSERT INTO groups (group_id, name, my_role, state, to_seq, updated_at) VALUES (?, ?, 'none', ?, ?, ?) ON CONFLICT (group_id) DO NOTHING`
  )
  const setDissolved = db.prepare<[number, string]>(
    `UPDATE groups SET state = 'dissolved', my_role = 'none', updated_at = ? WHERE group_id = ?`
  )
  const setRole = db.prepare<[string, number, string]>('UPDATE groups SET my_role = ?, updated_at = ? WHERE group_id = ?')
  const moveCursor = db.prepare<[number, string]>('UPDATE groups SET cursor = max(cursor, ?) WHERE group_id = ?')
  const stepCursor = db.prepare<[number, string, number]>('UPDATE groups SET cursor = ? WHERE group_id = ? AND cursor = ?')
  const stop = db.prepare<[string]>(`UPDATE groups SET to_seq = cursor, state = CASE WHEN state = 'member' THEN 'removed' ELSE state END, my_role = 'none' WHERE group_id = ?`)
  const insertMention = db.prepare<[string, number]>('INSERT INTO group_mentions (group_id, seq) VALUES (?, ?) ON CONFLICT DO NOTHING')
  const mentionsAfter = db.prepare<[string, number], { n: number }>('SELECT count(*) AS n FROM group_mentions WHERE group_id = ? AND seq > ?')
  const saveInfo = db.prepare(
    `UPDATE groups SET name = @name, description = @description, announcement = @announcement, is_public = @is_public,
       join_needs_approval = @join_needs_approval, invite_needs_consent = @invite_needs_consent, max_members = @max_members,
       owner = @owner, member_count = @member_count, muted_all = @muted_all, created_at = @created_at, pinned = @pinned,
       my_role = CASE WHEN state = 'member' THEN @my_role ELSE my_role END, my_muted_until = @my_muted_until, updated_at = @updated_at
     WHERE group_id = @group_id`
  )
  const adoptGroup = db.prepare<[string, string, number, number, number]>(
    `INSERT INTO groups (group_id, my_role, state, from_seq, cursor, updated_at) VALUES (?, ?, 'member', ?, ?, ?) ON CONFLICT (group_id) DO NOTHING`
  )
  const deleteConversation = db.prepare<[string]>(`DELETE FROM conversations WHERE chat_type = 'group' AND id = ?`)
  const deleteMessages = db.prepare<[string]>(`DELETE FROM messages WHERE chat_type = 'group' AND conversation_id = ?`)
  const deleteMentions = db.prepare<[string]>('DELETE FROM group_mentions WHERE group_id = ?')

  const summaryOf = (group: string): GroupSummary | null => {
    const row = byId.get(group)
    return row ? rowToSummary(row) : null
  }

  /** A membership event from the user log, inside the sync batch's transaction. */
  const applyMembership = (event: UserEventRecord): GroupMembershipChange | undefined => {
    let decoded: ReturnType<typeof pb.Event.decode>
    try {
      decoded = pb.Event.decode(event.raw)
    } catch (err) {
      throw bad(`The membership event cannot be read: ${err instanceof Error ? err.message : String(err)}`)
    }
    const m = decoded.membership
    const group = (m?.group ?? '').trim().toLowerCase()
    if (!m || !group) throw bad('The membership event names no group.')
    const now = Date.now()
    const name = m.groupName ?? ''
    const role = ROLES[m.role ?? 0] ?? 'none'
    const change = (kind: GroupMembershipChange['kind']): GroupMembershipChange => ({
      group, kind, groupName: name, actor: canonicalUserId(m.actor) ?? '', role, text: m.text ?? '', user: canonicalUserId(m.user) ?? ''
    })
    switch (m.kind) {
      case MembershipKind.KIND_JOINED: {
        const fromSeq = Number(m.fromSeq ?? 0)
        insertJoined.run(group, name, role === 'none' ? 'member' : role, fromSeq, fromSeq, now)
        return change('joined')
      }
      case MembershipKind.KIND_LEFT:
      case MembershipKind.KIND_REMOVED: {
        const state = m.kind === MembershipKind.KIND_LEFT ? 'left' : 'removed'
        const toSeq = Number(m.toSeq ?? 0)
        if (setDeparted.run(state, toSeq, now, group).changes === 0) insertDeparted.run(group, name, state, toSeq, now)
        return change(state)
      }
      case MembershipKind.KIND_DISSOLVED: {
        // The group is gone: its conversation leaves the list on every device, and nothing is sent to it again.
        if (setDissolved.run(now, group).changes === 0) insertDeparted.run(group, name, 'dissolved', 0, now)
        deleteConversation.run(group)
        deleteMessages.run(group)
        deleteMentions.run(group)
        return change('dissolved')
      }
      case MembershipKind.KIND_ROLE_CHANGED:
        setRole.run(role, now, group)
        return change('roleChanged')
      case MembershipKind.KIND_INVITED:
        return change('invited')
      case MembershipKind.KIND_JOIN_DECLINED:
        return change('joinDeclined')
      // What waits for an answer changes no local group row: the shells count it (invitations, join requests).
      case MembershipKind.KIND_JOIN_REQUESTED:
        return change('joinRequested')
      case MembershipKind.KIND_JOIN_REQUEST_CLOSED:
        return change('joinRequestClosed')
      case MembershipKind.KIND_INVITATION_CLOSED:
        return change('invitationClosed')
      default:
        throw bad(`The membership event has a kind this version does not know (${String(m.kind)}).`)
    }
  }

  const api: GroupsStoreApi = {
    list: async () => all.all().map(rowToSummary),
    get: async (group) => summaryOf(group),
    cursors: async () => following.all().map((row) => ({ group: row.group_id, cursor: row.cursor })),
    applyEntries: async (batch) =>
      context.write(() => {
        const row = byId.get(batch.group)
        // A dissolved group keeps no timeline here; a group never joined has no cursor to move.
        if (!row || row.state === 'dissolved') return { messages: [], conversations: [] }
        // Mentions first: the conversations storeMessages returns count them.
        for (const seq of batch.mentionSeqs) insertMention.run(batch.group, seq)
        const stored = batch.messages.length > 0 ? context.storeMessages(batch.messages, batch.active) : { messages: [], conversations: [] }
        moveCursor.run(batch.cursor, batch.group)
        return stored
      }),
    stopFollowing: async (group) =>
      context.write(() => {
        stop.run(group)
        return summaryOf(group)
      }),
    setCursor: async (group, seq) => {
      context.write(() => moveCursor.run(seq, group))
    },
    noteOwnAck: async (group, seq) => {
      context.write(() => stepCursor.run(seq, group, seq - 1))
    },
    saveInfo: async (info, headSeq, adopt) =>
      context.write(() => {
        if (adopt) adoptGroup.run(info.id, info.myRole === 'none' ? 'member' : info.myRole, headSeq, headSeq, Date.now())
        saveInfo.run({
          group_id: info.id,
          name: info.name,
          description: info.description,
          announcement: info.announcement,
          is_public: info.settings.isPublic ? 1 : 0,
          join_needs_approval: info.settings.joinNeedsApproval ? 1 : 0,
          invite_needs_consent: info.settings.inviteNeedsConsent ? 1 : 0,
          max_members: info.settings.maxMembers,
          owner: info.owner,
          member_count: info.memberCount,
          muted_all: info.mutedAll ? 1 : 0,
          created_at: info.createdAt,
          pinned: JSON.stringify(info.pinned),
          my_role: info.myRole === 'none' ? 'member' : info.myRole,
          my_muted_until: info.myMutedUntil,
          updated_at: Date.now()
        })
        return summaryOf(info.id)
      })
  }

  return {
    appliers: { membership: applyMembership },
    api,
    describe: (conversation) => {
      if (conversation.chatType !== 'group') return conversation
      const row = byId.get(conversation.id)
      const mentions = mentionsAfter.get(conversation.id, conversation.readSeq)?.n ?? 0
      return { ...conversation, title: row?.name || conversation.title, mentions }
    }
  }
}
