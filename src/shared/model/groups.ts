// The group domain's types every layer speaks (core, IPC, renderer): a group as this device knows it, members,
// directory pages, invitations, join requests and the change a group event reports. Plain serialisable data.

export type GroupRole = 'none' | 'member' | 'admin' | 'owner'

/** Where this account stands in a group, as its devices learned it from the membership events. */
export type GroupMembershipState = 'member' | 'left' | 'removed' | 'dissolved'

export interface GroupSettings {
  /** Listed in the directory; anyone may ask to join. */
  isPublic: boolean
  /** A join request waits for an owner or admin. */
  joinNeedsApproval: boolean
  /** An invitation waits for the invitee to accept. */
  inviteNeedsConsent: boolean
  maxMembers: number
}

/** A group as the server describes it (GroupInfo). */
export interface GroupInfo {
  id: string
  name: string
  description: string
  announcement: string
  settings: GroupSettings
  owner: string
  memberCount: number
  mutedAll: boolean
  dissolved: boolean
  createdAt: number
  /** Server ids of the pinned messages, newest pin first. */
  pinned: number[]
  myRole: GroupRole
  /** ms since epoch; 0 = not muted. */
  myMutedUntil: number
}

/** A group this device keeps (the local groups table): the server's description as last known plus my standing. */
export interface GroupSummary extends GroupInfo {
  state: GroupMembershipState
}

export interface GroupMember {
  user: string
  role: GroupRole
  joinedAt: number
  /** ms since epoch; 0 = not muted. */
  mutedUntil: number
}

export interface GroupMemberPage {
  members: GroupMember[]
  hasMore: boolean
  memberCount: number
}

export interface GroupDirectoryPage {
  groups: GroupInfo[]
  /** Cursor of the next page; null = no more. */
  next: string | null
}

export interface GroupInvitation {
  group: string
  groupName: string
  inviter: string
  message: string
  at: number
}

export interface GroupJoinRequest {
  group: string
  user: string
  message: string
  at: number
}

/** What a group change answered: the group concerned and whether it waits for someone (approval, consent). */
export interface GroupChangeResult {
  group: string
  pending: boolean
}

/** A membership change of this account, as the groups store applied it (ChatClient 'userEvent' change, IPC push). */
export interface GroupMembershipChange {
  group: string
  kind:
    | 'joined'
    | 'left'
    | 'removed'
    | 'dissolved'
    | 'roleChanged'
    | 'invited'
    | 'joinDeclined'
    /** To owners and admins: `user` asks to join (text = their message). */
    | 'joinRequested'
    /** To owners and admins: `user`'s join request no longer waits (actor decided; '' when it ended otherwise). */
    | 'joinRequestClosed'
    /** To the invitee: the invitation no longer waits (declined on a device of mine, or I was banned). */
    | 'invitationClosed'
  groupName: string
  actor: string
  role: GroupRole
  text: string
  /** Whose join request (joinRequested, joinRequestClosed); '' otherwise. */
  user: string
}

/** The 'groups.changed' push: a group's local record changed (null when it is gone) and why. */
export interface GroupsChanged {
  group: string
  summary: GroupSummary | null
  membership: GroupMembershipChange | null
}

/** Options of a new group. */
export interface GroupCreateOptions {
  name: string
  description: string
  settings: GroupSettings
  members: string[]
}

export interface GroupUpdateOptions {
  name?: string
  description?: string
  announcement?: string
  settings?: GroupSettings
}

/** How a system notice of a group's timeline is shown (NoticeContent.kind). */
export type GroupNoticeKind =
  | 'created' | 'joined' | 'added' | 'left' | 'removed' | 'banned' | 'unbanned' | 'muted' | 'unmuted'
  | 'mutedAll' | 'unmutedAll' | 'adminAdded' | 'adminRemoved' | 'ownerChanged' | 'infoChanged'
  | 'announcement' | 'pinned' | 'unpinned' | 'dissolved' | 'unknown'
