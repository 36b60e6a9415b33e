// Owns the groups side of one signed-in session: every GroupsRequest operation over the connection (answers mapped
// to the shared group types), the group log's sync (group-sync.ts) and the local groups as the store keeps them.
import { AppError } from '../../../shared/errors'
import type {
  GroupChangeResult,
  GroupCreateOptions,
  GroupDirectoryPage,
  GroupInfo,
  GroupInvitation,
  GroupJoinRequest,
  GroupMemberPage,
  GroupRole,
  GroupSettings,
  GroupSummary,
  GroupUpdateOptions
} from '../../../shared/model'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { canonicalUserId } from '../../../shared/user-id'
import { canonicalGroupId } from '../../../shared/group-id'
import type { Connection } from '../net/connection'
import type { MessageStore } from '../store/types'
import { GROUP_SYNC_PAGE } from './group-sync'

type WireGroupInfo = parley.v1.IGroupInfo
type GroupsOp = parley.v1.IGroupsRequest
type GroupsAnswer = parley.v1.IGroupsResponse

const ROLES: Record<number, GroupRole> = { 0: 'none', 1: 'member', 2: 'admin', 3: 'owner' }
/** Members per page the info panel asks for: one screen of the list. */
export const GROUP_MEMBERS_PAGE = 50
/** Groups per directory page. */
export const GROUP_DIRECTORY_PAGE = 20

/** The canonical group id (shared/group-id.ts); NOT_FOUND for an id that cannot be one. */
function groupIdOrNotFound(raw: string): string {
  const id = canonicalGroupId(raw)
  if (id === null) throw new AppError('NOT_FOUND', `There is no group "${raw.trim().slice(0, 64)}".`)
  return id
}

function user(raw: string): string {
  const id = canonicalUserId(raw)
  if (!id) throw new AppError('BAD_ARGUMENT', `"${raw.trim().slice(0, 64)}" is not a user name.`)
  return id
}

export function groupInfoFromWire(info: WireGroupInfo): GroupInfo {
  const settings = info.settings ?? {}
  return {
    id: info.group ?? '',
    name: info.name ?? '',
    description: info.description ?? '',
    announcement: info.announcement ?? '',
    settings: {
      isPublic: settings.isPublic === true,
      joinNeedsApproval: settings.joinNeedsApproval === true,
      inviteNeedsConsent: settings.inviteNeedsConsent === true,
      maxMembers: Number(settings.maxMembers ?? 0)
    },
    owner: info.owner ?? '',
    memberCount: Number(info.memberCount ?? 0),
    mutedAll: info.mutedAll === true,
    dissolved: info.dissolved === true,
    createdAt: Number(info.createdAt ?? 0),
    pinned: (info.pinned ?? []).map(Number),
    myRole: ROLES[info.myRole ?? 0] ?? 'none',
    myMutedUntil: Number(info.myMutedUntil ?? 0)
  }
}

function settingsToWire(settings: GroupSettings): parley.v1.IGroupSettings {
  return {
    isPublic: settings.isPublic,
    joinNeedsApproval: settings.joinNeedsApproval,
    inviteNeedsConsent: settings.inviteNeedsConsent,
    maxMembers: settings.maxMembers
  }
}

export interface GroupsClientOptions {
  connection: Connection
  store: MessageStore
  /** A group's local record changed (info saved, adopted): the session tells the shells. */
  onSummary: (summary: GroupSummary) => void
}

export class GroupsClient {
  constructor(private readonly options: GroupsClientOptions) {}

  async create(options: GroupCreateOptions): Promise<GroupChangeResult> {
    const done = await this.change({
      create: {
        name: options.name,
        description: options.description,
        settings: settingsToWire(options.settings),
        members: options.members.map(user)
      }
    })
    // The JOINED event (through the user log) starts the group's sync; the description is known at once.
    void this.refreshInfo(done.group).catch(() => undefined)
    return done
  }

  /** The server's description of a group (also stored for a group this device knows). */
  async info(group: string): Promise<GroupInfo> {
    const answer = await this.ask({ info: { group: groupIdOrNotFound(group) } })
    if (!answer.info) throw new AppError('INTERNAL', 'The server answered without the group.')
    const info = groupInfoFromWire(answer.info)
    const summary = await this.options.store.domains.groups.saveInfo(info, Number(answer.info.headSeq ?? 0), false)
    if (summary) this.options.onSummary(summary)
    return info
  }

  /** info() without failing: after a notice, the description is asked for again. */
  async refreshInfo(group: string): Promise<void> {
    try {
      await this.info(group)
    } catch {
      // Not a member any more, or offline: the local record keeps what it knew.
    }
  }

  update(group: string, update: GroupUpdateOptions): Promise<GroupChangeResult> {
    return this.change({
      update: {
        group: groupIdOrNotFound(group),
        name: update.name,
        description: update.description,
        announcement: update.announcement,
        settings: update.settings ? settingsToWire(update.settings) : undefined,
        setSettings: update.settings !== undefined
      }
    })
  }

  dissolve(group: string): Promise<GroupChangeResult> {
    return this.change({ dissolve: { group: groupIdOrNotFound(group) } })
  }

  transfer(group: string, to: string): Promise<GroupChangeResult> {
    return this.change({ transfer: { group: groupIdOrNotFound(group), user: user(to) } })
  }

  setAdmin(group: string, member: string, admin: boolean): Promise<GroupChangeResult> {
    return this.change({ setAdmin: { group: groupIdOrNotFound(group), user: user(member), admin } })
  }

  invite(group: string, users: string[], message = ''): Promise<GroupChangeResult> {
    return this.change({ invite: { group: groupIdOrNotFound(group), users: users.map(user), message } })
  }

  remove(group: string, member: string): Promise<GroupChangeResult> {
    return this.change({ remove: { group: groupIdOrNotFound(group), user: user(member) } })
  }

  join(group: string, message = ''): Promise<GroupChangeResult> {
    return this.change({ join: { group: groupIdOrNotFound(group), message } })
  }

  decideJoin(group: string, member: string, accept: boolean, reason = ''): Promise<GroupChangeResult> {
    return this.change({ decideJoin: { group: groupIdOrNotFound(group), user: user(member), accept, reason } })
  }

  decideInvitation(group: string, accept: boolean): Promise<GroupChangeResult> {
    return this.change({ decideInvitation: { group: groupIdOrNotFound(group), accept } })
  }

  /** Mute a member until `until` (ms since epoch); 0 unmutes. */
  mute(group: string, member: string, until: number): Promise<GroupChangeResult> {
    return this.change({ mute: { group: groupIdOrNotFound(group), user: user(member), until } })
  }

  muteAll(group: string, muted: boolean): Promise<GroupChangeResult> {
    return this.change({ muteAll: { group: groupIdOrNotFound(group), muted } })
  }

  ban(group: string, member: string, banned: boolean): Promise<GroupChangeResult> {
    return this.change({ ban: { group: groupIdOrNotFound(group), user: user(member), banned } })
  }

  pin(group: string, serverId: number, pinned: boolean): Promise<GroupChangeResult> {
    return this.change({ pin: { group: groupIdOrNotFound(group), serverId, pinned } })
  }

  leave(group: string): Promise<GroupChangeResult> {
    return this.change({ leave: { group: groupIdOrNotFound(group) } })
  }

  async members(group: string, afterUser = '', limit = GROUP_MEMBERS_PAGE): Promise<GroupMemberPage> {
    const answer = await this.ask({ members: { group: groupIdOrNotFound(group), afterUser, limit } })
    const page = answer.members ?? {}
    return {
      members: (page.members ?? []).map((m) => ({
        user: m.user ?? '',
        role: ROLES[m.role ?? 0] ?? 'member',
        joinedAt: Number(m.joinedAt ?? 0),
        mutedUntil: Number(m.mutedUntil ?? 0)
      })),
      hasMore: page.hasMore === true,
      memberCount: Number(page.memberCount ?? 0)
    }
  }

  async directory(query = '', after = '', limit = GROUP_DIRECTORY_PAGE): Promise<GroupDirectoryPage> {
    const answer = await this.ask({ directory: { query, after, limit } })
    const page = answer.directory ?? {}
    return { groups: (page.groups ?? []).map(groupInfoFromWire), next: page.next ? page.next : null }
  }

  /** My groups as the server knows them (each description is stored for the groups this device knows). */
  async mine(): Promise<GroupInfo[]> {
    const answer = await this.ask({ mine: {} })
    return (answer.groups?.groups ?? []).map(groupInfoFromWire)
  }

  /**
   * A device that started from the conversation list never saw its groups' JOINED events: it follows each of its
   * groups from the group's head (older history comes page by page from the server).
   */
  async adoptMine(): Promise<void> {
    const answer = await this.ask({ mine: {} })
    for (const wire of answer.groups?.groups ?? []) {
      const info = groupInfoFromWire(wire)
      const head = Number(wire.headSeq ?? 0)
      // The start's list names a group's newest message; a group holding only notices (just made, nobody wrote yet)
      // comes without one, and followed from its head it would never become a conversation here, while the devices
      // that saw it made list it. Such a group is followed from a page below its head: group_sync brings its notices.
      const listed = await this.options.store.getConversation({ type: 'group', id: info.id })
      const from = listed?.lastMessage ? head : Math.max(0, head - GROUP_SYNC_PAGE)
      const summary = await this.options.store.domains.groups.saveInfo(info, from, true)
      if (summary) this.options.onSummary(summary)
    }
  }

  async pendingJoinRequests(group: string): Promise<GroupJoinRequest[]> {
    const answer = await this.ask({ pending: { group: groupIdOrNotFound(group) } })
    return (answer.joinRequests?.requests ?? []).map((r) => ({
      group: r.group ?? '', user: r.user ?? '', message: r.message ?? '', at: Number(r.at ?? 0)
    }))
  }

  async invitations(): Promise<GroupInvitation[]> {
    const answer = await this.ask({ invitations: {} })
    return (answer.invitations?.invitations ?? []).map((i) => ({
      group: i.group ?? '', groupName: i.groupName ?? '', inviter: i.inviter ?? '', message: i.message ?? '', at: Number(i.at ?? 0)
    }))
  }

  /** The groups this device keeps (the local table). */
  list(): Promise<GroupSummary[]> {
    return this.options.store.domains.groups.list()
  }

  local(group: string): Promise<GroupSummary | null> {
    return this.options.store.domains.groups.get(groupIdOrNotFound(group))
  }

  private async change(op: GroupsOp): Promise<GroupChangeResult> {
    const answer = await this.ask(op)
    return { group: answer.done?.group ?? '', pending: answer.done?.pending === true }
  }

  private ask(op: GroupsOp): Promise<GroupsAnswer> {
    if (!this.options.connection.isOnline) {
      return Promise.reject(new AppError('DISCONNECTED', 'You are offline. Try again when the connection is back.'))
    }
    return this.options.connection.request({ groups: op }, 'groupsOk')
  }
}
