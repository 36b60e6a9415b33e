// The one IPC contract: invoke methods (request -> response) and pushed events, used by main,
// preload, renderer and the browser host alike. Change it here and the compiler finds every end.
import type {
  BackfillStatus,
  ChatMessage,
  ConnectionStatus,
  Conversation,
  ConversationKey,
  MessagePage,
  MessageWindow,
  SearchResults,
  SessionInfo
} from '../model'
import type { AppErrorShape, FailureReason } from '../errors'
import type { DeepLinkTarget, ShellCommand, UpdateStatus } from './shell-events'
import type { AppCommand } from '../model/commands'
import type {
  GroupChangeResult,
  GroupDirectoryPage,
  GroupInfo,
  GroupInvitation,
  GroupJoinRequest,
  GroupMemberPage,
  GroupsChanged,
  GroupSummary
} from '../model/groups'
import type { JoinedRoom, RoomAttribute, RoomDirectoryPage, RoomEvent, RoomInfo, RoomMemberPage } from '../model/rooms'
import type { ContactsState, UserPresence, UserProfile, UserSearchResult } from '../model/contacts'
import type { ConversationState, DeviceList, MessageReactions, PinsChanged, ReactionsChanged } from '../model/reactions'
import type { SaveAsResult, TransferEvent } from '../model/attachments'
import type { InvokeArgsOf, InvokeMethod } from './schemas'
import type { GroupReadCounts, GroupReadEvent, GroupReaders, PeerReceipts, PrivacySettings, TypingEvent } from '../model/receipts'
import type { DeviceSettings } from '../model/settings'

/** How much room the signed-in account takes on this device (null: not signed in, or not known). */
export interface StorageUsage {
  /** The account's database with its write-ahead log. */
  databaseBytes: number | null
  /** The attachments download cache. */
  cacheBytes: number | null
}

export interface AppInfo {
  version: string
  /** Which shell hosts the renderer. */
  shell: 'electron' | 'browser'
  /** The server address used when the sign-in form leaves it empty. */
  defaultServerUrl: string
}

/** A user found by users.lookup: the id in its canonical form (what conversations are keyed by). */
export interface UserLookup {
  user: string
}

/** What the diagnostics view shows about this device's sync (null while signed out or not yet known). */
export interface Diagnostics {
  /** The sequence of the newest log entry this device applied. */
  syncCursor: number | null
  /** Messages written here and not yet acked by the server. */
  pendingOutbox: number
  /** Events that could not be applied and were put aside (sync went on past them); null when unknown. */
  quarantinedEvents: number | null
  /** Why the last catch-up failed, as a sentence (cleared by the next one that works). */
  lastSyncError: string | null
  connection: ConnectionStatus
}

/** What each invoke method answers. */
export interface InvokeResults {
  'app.info': AppInfo
  'app.openExternal': void
  'app.restartToUpdate': void
  'auth.register': void
  'auth.login': SessionInfo
  'auth.logout': void
  'auth.session': SessionInfo | null
  'connection.status': ConnectionStatus
  'conversations.list': Conversation[]
  'conversations.firstPage': Conversation[]
  'conversations.markRead': void
  'conversations.setActive': void
  'drafts.set': void
  'users.lookup': UserLookup
  'app.diagnostics': Diagnostics
  'messages.page': MessagePage
  'messages.sendText': ChatMessage
  'messages.retry': ChatMessage
  /** Stored with status 'sending', then sent through the outbox like a text. */
  'messages.sendLocation': ChatMessage
  'messages.around': MessageWindow
  'messages.after': MessageWindow
  'search.messages': SearchResults
  'search.status': BackfillStatus
  'search.setBackfillDays': BackfillStatus
  /** The message as it is now (the recall notice / the edited text); null when it is not on this device. */
  'messages.recall': ChatMessage | null
  'messages.edit': ChatMessage | null
  'messages.deleteForMe': void
  'conversations.clear': void
  /** The conversation's disappearing timer in seconds (0 = off). */
  'conversations.disappearingTimer': { seconds: number }
  'conversations.setDisappearingTimer': { seconds: number }
  'groups.create': GroupChangeResult
  'groups.info': GroupInfo
  'groups.update': GroupChangeResult
  'groups.dissolve': GroupChangeResult
  'groups.transfer': GroupChangeResult
  'groups.setAdmin': GroupChangeResult
  'groups.invite': GroupChangeResult
  'groups.remove': GroupChangeResult
  /** pending: the request waits for an owner or admin. */
  'groups.join': GroupChangeResult
  'groups.decideJoin': GroupChangeResult
  'groups.decideInvitation': GroupChangeResult
  'groups.mute': GroupChangeResult
  'groups.muteAll': GroupChangeResult
  'groups.ban': GroupChangeResult
  'groups.pin': GroupChangeResult
  'groups.leave': GroupChangeResult
  'groups.members': GroupMemberPage
  'groups.directory': GroupDirectoryPage
  /** The groups this device keeps (member or past member, with my standing). */
  'groups.mine': GroupSummary[]
  /** Join requests waiting in a group (owner and admins). */
  'groups.pending': GroupJoinRequest[]
  /** Invitations waiting for my answer. */
  'groups.invitations': GroupInvitation[]
  'rooms.directory': RoomDirectoryPage
  /** The new room's id (the creator joins it with rooms.join). */
  'rooms.create': { room: string }
  /** The rooms this device is in now, with the live messages kept for each. */
  'rooms.joined': JoinedRoom[]
  'rooms.join': JoinedRoom
  'rooms.leave': void
  'rooms.info': RoomInfo
  /** Resolves once the server has the message (status 'sent'); rejects with the reason (muted, not a member…). */
  'rooms.sendText': ChatMessage
  'rooms.members': RoomMemberPage
  'rooms.kick': void
  'rooms.mute': void
  'rooms.muteAll': RoomInfo
  'rooms.ban': void
  'rooms.setAdmin': void
  'rooms.update': RoomInfo
  'rooms.attributes': RoomAttribute[]
  /** The keys as changed. */
  'rooms.setAttributes': RoomAttribute[]
  /** The removed keys (value ''). */
  'rooms.removeAttributes': RoomAttribute[]
  'rooms.delete': void
  /** Friends (with my remark), pending requests both ways, my blocklist. */
  'contacts.state': ContactsState
  /** A user by id with their profile and how I stand with them; USER_NOT_FOUND when there is none. */
  'contacts.search': UserSearchResult
  // Each contacts operation answers the contacts as they are once it is done.
  'contacts.request': ContactsState
  'contacts.decide': ContactsState
  'contacts.cancel': ContactsState
  'contacts.remove': ContactsState
  'contacts.setRemark': ContactsState
  'contacts.block': ContactsState
  /** The friends' presence as last heard. */
  'contacts.presence': UserPresence[]
  /**
   * Cached profiles (fetched when not cached yet); `fresh`: asked of the server again when online (someone who is not
   * a contact gets no profile pushes), the cached ones when offline or the server cannot answer.
   */
  'profile.get': UserProfile[]
  'profile.me': UserProfile
  'profile.update': UserProfile
  /** This device stays signed in; the account's other devices are signed out. */
  'profile.changePassword': void
  /** Then the session ends (session.ended) and this device's copy of the account is removed. */
  'profile.deleteAccount': void
  /** One message per target conversation (status 'sending'): one message forwarded as itself, several combined. */
  'messages.forward': ChatMessage[]
  /** The message's reactions once mine is added or removed. */
  'reactions.react': ReactionsChanged
  'reactions.of': MessageReactions[]
  /** The conversation's pinned server ids, newest pin first. */
  'pins.set': number[]
  'pins.list': number[]
  'conversations.setState': ConversationState
  'devices.list': DeviceList
  /** The list once the device is signed out (it is told why and stops). */
  'devices.signOut': DeviceList
  /** Shown by the Electron shell (nothing to do in the browser host, whose page shows its own). */
  'notifications.show': void
  /** The tray and the dock / taskbar badge follow (Electron); nothing to do in the browser host. */
  'notifications.status': void
  'attachments.stageBegin': { stagedId: string }
  'attachments.stageChunk': void
  /** The staged file's size and SHA-256 (hex), checked again by the server at upload. */
  'attachments.stageEnd': { size: number; sha256: string }
  /** Stored with status 'sending' (file ids '' until uploaded); the upload and send go on in the outbox. */
  'messages.sendAttachment': ChatMessage
  /** The download as it stands (done at once with its url when the file is cached); then `transfer` events. */
  'attachments.download': TransferEvent
  'attachments.cancel': void
  /** A download queued again; an upload: its message sent again (the upload resumes where the server has it). */
  'attachments.retry': TransferEvent | null
  'attachments.saveAs': SaveAsResult
  'attachments.open': void
  'attachments.showInFolder': void
  /** What to put in <img>/<audio>/<video> for the cached file; null when it is not cached (download it). */
  'attachments.fileUrl': { url: string | null }
  /** The transfers this session knows (a reloaded renderer starts its progress bars from them). */
  'attachments.transfers': TransferEvent[]
  'attachments.forget': void
  /** The peer's delivered / read pointers of a one-to-one chat (my messages with seq <= readSeq were read). */
  'receipts.peer': PeerReceipts
  'receipts.groupCounts': GroupReadCounts
  'receipts.groupReaders': GroupReaders
  'privacy.get': PrivacySettings
  'privacy.set': PrivacySettings
  'typing.set': void
  /** Who types in the conversation now. */
  'typing.list': string[]
  /** This device's settings (available before sign-in). */
  'settings.get': DeviceSettings
  /** The settings once the patch is applied and saved (BAD_ARGUMENT with a sentence when a value is not allowed). */
  'settings.update': DeviceSettings
  'settings.storage': StorageUsage
  /** Empties the attachments cache (files downloading now stay); the usage afterwards. */
  'settings.clearCache': StorageUsage
  /** Electron: a folder picker; the settings with the chosen folder (unchanged when canceled). UNSUPPORTED elsewhere. */
  'settings.chooseDownloadFolder': DeviceSettings
}

export type { InvokeMethod }
export type InvokeArgs<M extends InvokeMethod> = InvokeArgsOf<M>
export type InvokeResult<M extends InvokeMethod> = InvokeResults[M]

/** Events pushed from the core to the renderer. */
export interface PushEvents {
  'connection.status': ConnectionStatus
  /** Desktop shell: a parley:// link was opened (second launch, macOS open-url, or the first launch's argv). */
  'shell.openLink': DeepLinkTarget
  /** Desktop shell: a menu command (search, next / previous conversation, settings). */
  'shell.command': ShellCommand
  /** Desktop shell: the auto-updater moved on (a downloaded update offers "restart to update"). */
  'shell.update': UpdateStatus
  /** A message was added or changed (status, ack, ...). */
  'message.upsert': ChatMessage
  'conversation.upsert': Conversation
  /**
   * A big stored batch (a catch-up chunk) at once: each conversation it changed (newest state), and only its messages
   * of conversations this renderer loaded or that may notify. Items of small batches come one by one as above.
   */
  'sync.batch': { messages: ChatMessage[]; conversations: Conversation[] }
  /** The session ended without the user asking (token expired, replaced by another device...). */
  'session.ended': {
    /** The English sentence, for logs. */
    reason: string
    /** Why, as a code and params the renderer words (params.reason: a FailureReasonName, or params.wire). */
    error: FailureReason
  }
  /** Live traffic of the chat rooms this device is in (messages batched by the core, members, info, exit). */
  'rooms.event': RoomEvent
  /** This device's settings changed (from any window of it). */
  'settings.changed': DeviceSettings
  /** "Clear cache" moved on: files removed of the total. */
  'settings.clearCacheProgress': { done: number; total: number }
  'contacts.changed': ContactsState
  /** A friend came online, went offline or changed their status text. */
  'presence.changed': UserPresence
  /** A profile changed (a friend's, or mine from any of my devices). */
  'profile.changed': UserProfile
  /** A group's record on this device changed (joined, left, removed, dissolved, role, description), or an invitation came. */
  'groups.changed': GroupsChanged
  /** A command message arrived: for the app, never shown nor stored as a message. */
  command: AppCommand
  /** Messages left this device: deleted for me, cleared (here or on another device of mine), or expired. */
  'messages.removed': { conversation: ConversationKey; ids: string[] }
  /** A conversation's disappearing timer changed (either side set it). */
  'conversation.settings': { conversation: ConversationKey; disappearAfterSec: number; changedBy: string }
  /** A message's reactions changed (mine, someone else's, or from my other devices). */
  'reactions.changed': ReactionsChanged
  /** A one-to-one conversation's pins changed. */
  'pins.changed': PinsChanged
  /** My state of a conversation changed on a device of mine (deleted: drop it and its messages from view). */
  'conversations.state': ConversationState & { deleted: boolean }
  /** A device of my account signed in or out: read the device list again. */
  'devices.changed': { sessionId: string; signedOut: boolean }
  /** An upload or download moved: progress, done (with the cached file's url), failed (with a sentence), canceled. */
  transfer: TransferEvent
  /** The history back-fill moved on, paused or finished: how far back search reaches. */
  'search.backfill': BackfillStatus
  /** The peer of a one-to-one chat moved its delivered / read pointer. */
  'receipts.peer': PeerReceipts
  /** A member read past messages of mine in a group (ask the counts again). */
  'receipts.groupRead': GroupReadEvent
  /** Someone started or stopped typing (stops by itself after a few seconds of silence). */
  'typing.changed': TypingEvent
  'privacy.changed': PrivacySettings
  /** The user clicked a notification (Electron shell): the window is shown; open this conversation. */
  'notifications.open': { conversation: ConversationKey }
  /** The tray's menu set the app-wide do not disturb (ms since epoch; 0 = off). */
  'notifications.appDnd': { until: number }
}
export type PushEventName = keyof PushEvents

/** The bridge the renderer sees as window.parley. Rejections carry an AppErrorShape. */
export interface ParleyBridge {
  invoke<M extends InvokeMethod>(method: M, ...args: InvokeArgs<M> extends void ? [] : [InvokeArgs<M>]): Promise<InvokeResult<M>>
  on<E extends PushEventName>(event: E, listener: (payload: PushEvents[E]) => void): () => void
}

/** Channel names on Electron IPC. */
export const IPC_INVOKE_CHANNEL = 'parley:invoke'
export const IPC_EVENT_CHANNEL = 'parley:event'

/** What travels back for an invoke: a result or a typed error (Electron IPC loses Error fields). */
export type InvokeReply<M extends InvokeMethod = InvokeMethod> =
  | { ok: true; result: InvokeResult<M> }
  | { ok: false; error: AppErrorShape }

/** The browser host's bridge socket path (token and tab id go in the query). */
export const HOST_BRIDGE_PATH = '/bridge'

/**
 * GET <host>/bridge/token?token=: 204 while the token is the host's, 403 once it is not (the host was restarted and
 * printed a new one). A page whose bridge socket is refused asks here, since a refused WebSocket says nothing.
 */
export const HOST_TOKEN_CHECK_PATH = '/bridge/token'

/**
 * Close code of a bridge socket the host dropped because a newer page connected with the same tab id. A page
 * that is still alive when it gets this is a duplicated tab: it must not reconnect with that id.
 */
export const HOST_CLOSE_REPLACED = 4000

/** Browser-host socket messages (JSON text frames). */
export type HostClientMessage = { kind: 'invoke'; id: number; method: InvokeMethod; args: unknown }
export type HostServerMessage =
  | { kind: 'reply'; id: number; reply: InvokeReply }
  | { kind: 'event'; event: PushEventName; payload: unknown }
