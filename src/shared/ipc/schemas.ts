// Runtime schemas for every invoke method's arguments: the one place a boundary (Electron main,
// browser host) validates what a renderer sends. Types in contract.ts are inferred from these.
import { z } from 'zod'
import { MAX_FIRST_PAGE_CONVERSATIONS, MAX_USERNAME_CHARS, SERVER_URL_PATTERN } from '../limits'
import { CONTACT_LIMITS } from '../model/contacts'
import { MUTED_UNTIL_TURNED_OFF } from '../model/reactions'
import { isExternalUrl } from './external-links'
import { deviceSettingsPatchSchema } from './settings-schemas'

const username = z.string().trim().min(1).max(MAX_USERNAME_CHARS)
const serverUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((u) => SERVER_URL_PATTERN.test(u), 'Server address must look like http://host:port')

// 5 KB is the protocol limit in bytes; the core checks bytes, this guards absurd sizes early.
const MAX_MESSAGE_TEXT_CHARS = 20_000
const messageText = z.string().min(1).max(MAX_MESSAGE_TEXT_CHARS)

/**
 * A conversation as the renderer names it: chat type + id (the peer's user id, or a group / room id). The core
 * puts the id in its canonical form; group and room ids are server-made and at most 64 characters too.
 */
export const conversationSchema = z.object({
  type: z.enum(['single', 'group', 'room']),
  id: z.string().trim().min(1).max(MAX_USERNAME_CHARS)
})

// Receipts, privacy and typing (the core's receipts/index.ts). seqs: the group messages of mine on screen.
const receiptsInvokeSchemas = {
  'receipts.peer': z.object({ conversation: conversationSchema }),
  'receipts.groupCounts': z.object({ conversation: conversationSchema, seqs: z.array(z.number().int().positive()).max(200) }),
  'receipts.groupReaders': z.object({ conversation: conversationSchema, seq: z.number().int().positive() }),
  'privacy.get': z.void(),
  'privacy.set': z.object({ readReceiptsOff: z.boolean(), typingOff: z.boolean() }),
  // typing false: the draft was cleared or sent.
  'typing.set': z.object({ conversation: conversationSchema, typing: z.boolean() }),
  'typing.list': z.object({ conversation: conversationSchema })
}

// Device settings (the core's settings/): available before sign-in; the patch's rules live in settings-schemas.ts.
const settingsInvokeSchemas = {
  'settings.get': z.void(),
  'settings.update': deviceSettingsPatchSchema,
  'settings.storage': z.void(),
  'settings.clearCache': z.void(),
  'settings.chooseDownloadFolder': z.void()
}

export const credentialsSchema = z.object({
  serverUrl: serverUrl.optional(),
  username,
  password: z.string().min(1).max(256)
})

// Reply, forward, reactions, pins, conversation state, devices (limits as the server's: one emoji <= 32 bytes,
// 200 messages per reactions read; as the core's: 100 messages and 20 conversations per forward).
/** A message's client id (32 hex digits). */
const forwardedMessageId = z.string().regex(/^[0-9a-f]{32}$/)
const serverId = z.number().int().positive()
const replyInvokeSchemas = {
  'messages.forward': z.object({ messageIds: z.array(forwardedMessageId).min(1).max(100), targets: z.array(conversationSchema).min(1).max(20) }),
  'reactions.react': z.object({ conversation: conversationSchema, serverId, emoji: z.string().min(1).max(32), remove: z.boolean().optional() }),
  // refresh: ask the server (a group's pushes missed while away, a new device); else what this device has.
  'reactions.of': z.object({ conversation: conversationSchema, serverIds: z.array(serverId).max(200), refresh: z.boolean().optional() }),
  // One-to-one pins (groups pin with groups.pin); serverId null only reads the list from the server.
  'pins.set': z.object({ conversation: conversationSchema, serverId: serverId.nullable(), pinned: z.boolean() }),
  'pins.list': z.object({ conversation: conversationSchema }),
  'conversations.setState': z.union([
    z.object({ conversation: conversationSchema, pinned: z.boolean() }),
    z.object({ conversation: conversationSchema, markedUnread: z.boolean() }),
    z.object({ conversation: conversationSchema, deleteThroughSeq: z.number().int().nonnegative() }),
    // Do not disturb until (ms since epoch); 0 = unmute; MUTED_UNTIL_TURNED_OFF = until turned off.
    z.object({ conversation: conversationSchema, mutedUntil: z.number().int().nonnegative().max(MUTED_UNTIL_TURNED_OFF) })
  ]),
  'devices.list': z.void(),
  'devices.signOut': z.object({ sessionId: z.string().min(1).max(64) })
} as const

// Notifications: the renderer decides (src/shared/notifications) and words them; the Electron shell shows them
// natively and keeps the tray / dock badge (the browser host's page uses the web Notification API and its title).
const notificationsInvokeSchemas = {
  'notifications.show': z.object({
    conversation: conversationSchema,
    // One per conversation: a newer one replaces the one shown.
    tag: z.string().min(1).max(200),
    title: z.string().max(300),
    body: z.string().max(1000),
    silent: z.boolean()
  }),
  // The badge number (the list's unread sum) and the app-wide do not disturb (ms since epoch, 0 = off).
  'notifications.status': z.object({
    unread: z.number().int().nonnegative(),
    appDndUntil: z.number().int().nonnegative().max(MUTED_UNTIL_TURNED_OFF)
  })
} as const

// Chat rooms (limits as the server's: name 128, description / announcement 512, attribute key 128, value 4 KB).
const roomId = z.string().trim().min(1).max(64)
const roomMember = z.object({ room: roomId, user: username })
const roomsInvokeSchemas = {
  'rooms.directory': z.object({
    query: z.string().max(128).optional(),
    after: z.string().max(64).nullable().optional(),
    limit: z.number().int().min(1).max(100).optional()
  }),
  'rooms.create': z.object({
    name: z.string().trim().min(1).max(128),
    description: z.string().max(512).optional(),
    maxMembers: z.number().int().min(0).max(100_000).optional()
  }),
  'rooms.joined': z.void(),
  'rooms.join': z.object({ room: roomId }),
  'rooms.leave': z.object({ room: roomId }),
  'rooms.info': z.object({ room: roomId }),
  'rooms.sendText': z.object({ room: roomId, text: messageText }),
  'rooms.members': z.object({ room: roomId, afterUser: username.nullable().optional(), limit: z.number().int().min(1).max(500).optional() }),
  'rooms.kick': roomMember,
  // durationMs 0 lifts the mute; at most a year.
  'rooms.mute': roomMember.extend({ durationMs: z.number().int().min(0).max(365 * 24 * 3_600_000) }),
  'rooms.muteAll': z.object({ room: roomId, muted: z.boolean() }),
  'rooms.ban': roomMember.extend({ banned: z.boolean() }),
  'rooms.setAdmin': roomMember.extend({ admin: z.boolean() }),
  'rooms.update': z.object({
    room: roomId,
    name: z.string().trim().min(1).max(128).optional(),
    description: z.string().max(512).optional(),
    announcement: z.string().max(512).optional()
  }),
  'rooms.attributes': z.object({ room: roomId }),
  'rooms.setAttributes': z.object({
    room: roomId,
    attributes: z.record(z.string().min(1).max(128), z.string().max(4096)),
    overwriteOthers: z.boolean().optional()
  }),
  'rooms.removeAttributes': z.object({ room: roomId, keys: z.array(z.string().min(1).max(128)).min(1).max(100) }),
  'rooms.delete': z.object({ room: roomId })
} as const

// Contacts, profiles and presence (limits as the server's: CONTACT_LIMITS; the core checks them with a sentence,
// these guard absurd sizes early).
const contactUser = z.object({ user: username })
const contactsInvokeSchemas = {
  'contacts.state': z.void(),
  'contacts.search': z.object({ username }),
  'contacts.request': z.object({ user: username, message: z.string().max(CONTACT_LIMITS.requestMessageChars * 2) }),
  'contacts.decide': z.object({ user: username, accept: z.boolean() }),
  'contacts.cancel': contactUser,
  'contacts.remove': contactUser,
  'contacts.setRemark': z.object({ user: username, remark: z.string().max(CONTACT_LIMITS.remarkChars * 2) }),
  'contacts.block': z.object({ user: username, blocked: z.boolean() }),
  'contacts.presence': z.void(),
  'profile.get': z.object({ users: z.array(username).max(500), fresh: z.boolean().optional() }),
  'profile.me': z.void(),
  'profile.update': z.object({
    nickname: z.string().max(CONTACT_LIMITS.nicknameChars * 2).optional(),
    signature: z.string().max(CONTACT_LIMITS.signatureChars * 2).optional(),
    statusText: z.string().max(CONTACT_LIMITS.statusTextChars * 2).optional(),
    attributes: z.record(z.string().min(1).max(CONTACT_LIMITS.attributesBytes), z.string().max(CONTACT_LIMITS.attributesBytes)).optional()
  }),
  'profile.changePassword': z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) }),
  'profile.deleteAccount': z.object({ password: z.string().min(1).max(256) })
} as const

// Groups (limits as the server's: name 128, description / announcement 512, max members 3,000, notes 256; the server
// answers with a sentence, these guard absurd sizes early). Group ids are server-made: 'g' and lowercase letters/digits.
const groupId = z.string().trim().min(2).max(64)
const groupRef = z.object({ group: groupId })
const groupMember = z.object({ group: groupId, user: username })
const groupNote = z.string().max(512)
const groupSettingsSchema = z.object({
  isPublic: z.boolean(),
  joinNeedsApproval: z.boolean(),
  inviteNeedsConsent: z.boolean(),
  maxMembers: z.number().int().min(0).max(3_000)
})
const groupsInvokeSchemas = {
  'groups.create': z.object({
    name: z.string().trim().min(1).max(128),
    description: z.string().max(512),
    settings: groupSettingsSchema,
    members: z.array(username).max(100)
  }),
  'groups.info': groupRef,
  'groups.update': z.object({
    group: groupId,
    name: z.string().trim().min(1).max(128).optional(),
    description: z.string().max(512).optional(),
    announcement: z.string().max(512).optional(),
    settings: groupSettingsSchema.optional()
  }),
  'groups.dissolve': groupRef,
  'groups.transfer': groupMember,
  'groups.setAdmin': groupMember.extend({ admin: z.boolean() }),
  'groups.invite': z.object({ group: groupId, users: z.array(username).min(1).max(100), message: groupNote.optional() }),
  'groups.remove': groupMember,
  'groups.join': z.object({ group: groupId, message: groupNote.optional() }),
  'groups.decideJoin': groupMember.extend({ accept: z.boolean(), reason: groupNote.optional() }),
  'groups.decideInvitation': z.object({ group: groupId, accept: z.boolean() }),
  // until: ms since epoch; 0 lifts the mute.
  'groups.mute': groupMember.extend({ until: z.number().int().min(0) }),
  'groups.muteAll': z.object({ group: groupId, muted: z.boolean() }),
  'groups.ban': groupMember.extend({ banned: z.boolean() }),
  'groups.pin': z.object({ group: groupId, serverId: z.number().int().positive(), pinned: z.boolean() }),
  'groups.leave': groupRef,
  'groups.members': z.object({ group: groupId, afterUser: z.string().max(MAX_USERNAME_CHARS).optional(), limit: z.number().int().min(1).max(200).optional() }),
  'groups.directory': z.object({ query: z.string().max(128).optional(), after: z.string().max(256).optional(), limit: z.number().int().min(1).max(100).optional() }),
  'groups.mine': z.void(),
  'groups.pending': groupRef,
  'groups.invitations': z.void()
} as const

/** Links opened outside the app are long at most this (a URL longer than browsers keep is not a link to open). */
const MAX_EXTERNAL_URL_CHARS = 8_192
// Attachments (core/attachments): staging a file the renderer holds, transfers, the cached files.
const MAX_STAGE_CHUNK_BYTES = 1024 * 1024
const messageId = z.string().regex(/^[0-9a-f]{32}$/)
const stagedId = z.string().regex(/^[0-9a-f]{32}$/)
// Burn after reading: gone this many seconds after the recipient first reads it (at most a week, the server's limit).
const burnAfterReadSec = z.number().int().min(1).max(7 * 86_400)
const transferId = z.string().max(80)
const attachmentWhich = z.enum(['file', 'thumbnail', 'poster'])
const messageFile = z.object({ messageId, which: attachmentWhich.optional() })
const attachmentsInvokeSchemas = {
  // size: the file's bytes (the core refuses more than the server's upload limit with a sentence).
  'attachments.stageBegin': z.object({ name: z.string().min(1).max(1024), mime: z.string().max(255), size: z.number().int().nonnegative() }),
  'attachments.stageChunk': z.object({
    stagedId,
    offset: z.number().int().nonnegative(),
    bytes: z.instanceof(Uint8Array).refine((bytes) => bytes.length <= MAX_STAGE_CHUNK_BYTES, 'a chunk is at most 1 MiB')
  }),
  'attachments.stageEnd': z.object({ stagedId }),
  'messages.sendAttachment': z.object({
    conversation: conversationSchema,
    kind: z.enum(['image', 'voice', 'video', 'file']),
    stagedId,
    width: z.number().int().nonnegative().max(100_000).optional(),
    height: z.number().int().nonnegative().max(100_000).optional(),
    durationMs: z.number().int().nonnegative().max(24 * 3_600_000).optional(),
    posterStagedId: stagedId.optional(),
    burnAfterReadSec: burnAfterReadSec.optional(),
    replyTo: z
      .object({
        id: messageId,
        serverId: z.number().int().nonnegative().nullable(),
        from: username,
        preview: z.string().max(512),
        seq: z.number().int().nonnegative().nullable()
      })
      .optional()
  }),
  'attachments.download': messageFile,
  'attachments.cancel': z.object({ transferId }),
  'attachments.retry': z.object({ transferId }),
  'attachments.saveAs': z.object({ messageId }),
  'attachments.open': z.object({ messageId }),
  'attachments.showInFolder': z.object({ messageId }),
  'attachments.fileUrl': messageFile,
  'attachments.transfers': z.void(),
  /** Drops the cached files of a message on this device (they download again when needed). */
  'attachments.forget': z.object({ messageId })
} as const

const searchInvokeSchemas = {
  // The newest hits (at most limit), grouped by conversation, with snippets and match ranges.
  'search.messages': z.object({ query: z.string().max(512), limit: z.number().int().min(1).max(200).optional() }),
  'search.status': z.void(),
  // How many days of history this device back-fills (0: none).
  'search.setBackfillDays': z.object({ days: z.number().int().min(0).max(3_650) }),
  // Opening a search hit: the page around it; then pages towards the newest.
  'messages.around': z.object({ conversation: conversationSchema, messageId, limit: z.number().int().min(1).max(200).optional() }),
  'messages.after': z.object({
    conversation: conversationSchema,
    afterSeq: z.number().int().nonnegative(),
    limit: z.number().int().min(1).max(200).optional()
  })
} as const

export const invokeSchemas = {
  'app.info': z.void(),
  // A link from a message, opened by the system (Electron shell.openExternal); the browser host opens it itself.
  'app.openExternal': z.object({
    url: z
      .string()
      .trim()
      .max(MAX_EXTERNAL_URL_CHARS)
      .refine((url) => isExternalUrl(url), 'Only http, https and mailto links can be opened.')
  }),
  // The desktop shell's "restart to update" (a downloaded update waits); elsewhere refused as UNSUPPORTED.
  'app.restartToUpdate': z.void(),
  'auth.register': credentialsSchema,
  'auth.login': credentialsSchema,
  'auth.logout': z.void(),
  'auth.session': z.void(),
  'connection.status': z.void(),
  'conversations.list': z.void(),
  // The newest `limit` conversations, in the list's order: a window's first screen, before the whole list.
  'conversations.firstPage': z.object({ limit: z.number().int().min(1).max(MAX_FIRST_PAGE_CONVERSATIONS) }),
  // uptoSeq: read up to this message (the newest one the user has seen); none: the whole conversation.
  'conversations.markRead': z.object({ conversation: conversationSchema, uptoSeq: z.number().int().nonnegative().optional() }),
  // The conversation the user is looking at (window focused, newest messages in view), or null for none:
  // only there do arriving messages count as read at once.
  'conversations.setActive': z.object({ conversation: conversationSchema.nullable() }),
  // '' clears the draft.
  'drafts.set': z.object({ conversation: conversationSchema, text: z.string().max(MAX_MESSAGE_TEXT_CHARS) }),
  'users.lookup': z.object({ username }),
  'app.diagnostics': z.void(),
  'messages.page': z.object({
    conversation: conversationSchema,
    beforeSeq: z.number().int().nonnegative().nullable().optional(),
    limit: z.number().int().min(1).max(200).optional()
  }),
  // Group chats: who the text @mentions (mentionAll: @all, owner and admins only).
  'messages.sendText': z.object({
    to: conversationSchema,
    text: messageText,
    mentions: z.array(username).max(100).optional(),
    mentionAll: z.boolean().optional(),
    burnAfterReadSec: burnAfterReadSec.optional(),
    // The id of the message this one replies to (quoted).
    replyTo: z.string().regex(/^[0-9a-f]{32}$/).optional()
  }),
  // A place: degrees (WGS 84), and the address and place name as people write them (the server's limits).
  'messages.sendLocation': z.object({
    to: conversationSchema,
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    address: z.string().max(512),
    name: z.string().max(256),
    burnAfterReadSec: burnAfterReadSec.optional()
  }),
  'messages.retry': z.object({ messageId: z.string().regex(/^[0-9a-f]{32}$/) }),
  // Recall, edit, delete for me, clear and the disappearing timer (core/message-ops).
  'messages.recall': z.object({ conversation: conversationSchema, messageId: z.string().regex(/^[0-9a-f]{32}$/) }),
  'messages.edit': z.object({ conversation: conversationSchema, messageId: z.string().regex(/^[0-9a-f]{32}$/), text: messageText }),
  'messages.deleteForMe': z.object({
    conversation: conversationSchema,
    messageIds: z.array(z.string().regex(/^[0-9a-f]{32}$/)).min(1).max(500)
  }),
  // everywhere: also on the account's other devices (through the user log).
  'conversations.clear': z.object({ conversation: conversationSchema, everywhere: z.boolean() }),
  'conversations.disappearingTimer': z.object({ conversation: conversationSchema }),
  // 0 = off; at most a year (the server's limit).
  'conversations.setDisappearingTimer': z.object({ conversation: conversationSchema, seconds: z.number().int().min(0).max(365 * 86_400) }),
  ...settingsInvokeSchemas,
  ...roomsInvokeSchemas,
  ...searchInvokeSchemas,
  ...contactsInvokeSchemas,
  ...groupsInvokeSchemas,
  ...replyInvokeSchemas,
  ...attachmentsInvokeSchemas,
  ...receiptsInvokeSchemas,
  ...notificationsInvokeSchemas
} as const

export type InvokeMethod = keyof typeof invokeSchemas
export type InvokeArgsOf<M extends InvokeMethod> = z.infer<(typeof invokeSchemas)[M]>
