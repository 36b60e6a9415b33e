// Owns the IPC handlers of the session's domain clients (reactions and forward, recall and edit, receipts, search,
// contacts, groups, rooms): each maps its methods onto the signed-in client's part, which it asks for on every call.
import type { ChatClientApi } from '../types'
import type { InvokeMethod } from '../../../shared/ipc/schemas'
import type { ContactsApi } from '../contacts'
import type { GroupsClient } from '../groups'
import type { RoomsClient } from '../rooms/client'
import type { SearchClient } from '../search'
import type { MessageOpsClient } from '../message-ops'
import type { ReactionsClient } from '../reactions'
import type { ReceiptsClient } from '../receipts'
import { canonicalConversation, DEFAULT_PAGE_LIMIT, notYetAvailable, withExtras, type ClientExtras, type Handlers } from './client-access'

/** Forward, reactions, pins, conversation state and devices: the session's ReactionsClient and ChatClient.forward. */
export function replyHandlers(signedIn: () => ChatClientApi): Pick<
  Handlers,
  Extract<InvokeMethod, 'messages.forward' | `reactions.${string}` | `pins.${string}` | 'conversations.setState' | `devices.${string}`>
> {
  const client = (): ChatClientApi & ClientExtras => withExtras(signedIn())
  const reactions = (): ReactionsClient => {
    const found = client().reactions
    if (!found) throw notYetAvailable('Reactions')
    return found
  }
  return {
    'messages.forward': ({ messageIds, targets }) => {
      const forward = client().forward
      if (!forward) throw notYetAvailable('Forwarding')
      return forward.call(client(), messageIds, targets.map(canonicalConversation))
    },
    'reactions.react': ({ conversation, serverId, emoji, remove }) => reactions().react(canonicalConversation(conversation), serverId, emoji, remove === true),
    'reactions.of': ({ conversation, serverIds, refresh }) =>
      refresh ? reactions().refresh(canonicalConversation(conversation), serverIds) : reactions().stored(canonicalConversation(conversation), serverIds),
    'pins.set': ({ conversation, serverId, pinned }) => reactions().pin(canonicalConversation(conversation), serverId, pinned),
    'pins.list': ({ conversation }) => reactions().pins(canonicalConversation(conversation)),
    'conversations.setState': (args) => {
      const { conversation, ...change } = args
      return reactions().setState(canonicalConversation(conversation), change)
    },
    'devices.list': () => reactions().devices(),
    'devices.signOut': ({ sessionId }) => reactions().devices(sessionId)
  }
}

/** Recall, edit, delete for me, clear and the disappearing timer: the session's MessageOpsClient. */
export function messageOpsHandlers(signedIn: () => ChatClientApi): Pick<
  Handlers,
  | 'messages.recall'
  | 'messages.edit'
  | 'messages.deleteForMe'
  | 'conversations.clear'
  | 'conversations.disappearingTimer'
  | 'conversations.setDisappearingTimer'
> {
  const ops = (): MessageOpsClient => {
    const client = withExtras(signedIn())
    if (!client.messageOps) throw notYetAvailable('Recalling and editing messages')
    return client.messageOps
  }
  return {
    'messages.recall': ({ conversation, messageId }) => ops().recall(canonicalConversation(conversation), messageId),
    'messages.edit': ({ conversation, messageId, text }) => ops().edit(canonicalConversation(conversation), messageId, text),
    'messages.deleteForMe': ({ conversation, messageIds }) => ops().deleteForMe(canonicalConversation(conversation), messageIds),
    'conversations.clear': ({ conversation, everywhere }) => ops().clear(canonicalConversation(conversation), everywhere),
    'conversations.disappearingTimer': async ({ conversation }) => ({
      seconds: await ops().disappearingTimer(canonicalConversation(conversation))
    }),
    'conversations.setDisappearingTimer': async ({ conversation, seconds }) => ({
      seconds: await ops().setDisappearingTimer(canonicalConversation(conversation), seconds)
    })
  }
}

/** The receipts.*, privacy.* and typing.* methods: each goes to the session's ReceiptsClient (ChatClient.receipts). */
export function receiptHandlers(signedIn: () => ChatClientApi): Pick<Handlers, Extract<InvokeMethod, `receipts.${string}` | `privacy.${string}` | `typing.${string}`>> {
  const receipts = (): ReceiptsClient => {
    const client = withExtras(signedIn())
    if (!client.receipts) throw notYetAvailable('Receipts')
    return client.receipts
  }
  return {
    'receipts.peer': ({ conversation }) => receipts().peer(canonicalConversation(conversation)),
    'receipts.groupCounts': ({ conversation, seqs }) => receipts().groupCounts(canonicalConversation(conversation), seqs),
    'receipts.groupReaders': ({ conversation, seq }) => receipts().groupReaders(canonicalConversation(conversation), seq),
    'privacy.get': () => receipts().privacy(),
    'privacy.set': (settings) => receipts().setPrivacy(settings),
    'typing.set': async ({ conversation, typing }) => {
      await receipts().setTyping(canonicalConversation(conversation), typing)
    },
    'typing.list': async ({ conversation }) => receipts().typingIn(canonicalConversation(conversation))
  }
}

/** The search.* methods and opening a hit in context (messages.around / messages.after): ChatClient.search. */
export function searchHandlers(signedIn: () => ChatClientApi): Pick<Handlers, Extract<InvokeMethod, `search.${string}` | 'messages.around' | 'messages.after'>> {
  const search = (): SearchClient => {
    const client = withExtras(signedIn())
    if (!client.search) throw notYetAvailable('Search')
    return client.search
  }
  return {
    'search.messages': ({ query, limit }) => search().messages(query, limit ?? DEFAULT_PAGE_LIMIT),
    'search.status': () => search().status(),
    'search.setBackfillDays': ({ days }) => search().setBackfillDays(days),
    'messages.around': ({ conversation, messageId, limit }) =>
      search().around(canonicalConversation(conversation), messageId, limit ?? DEFAULT_PAGE_LIMIT),
    'messages.after': ({ conversation, afterSeq, limit }) =>
      search().after(canonicalConversation(conversation), afterSeq, limit ?? DEFAULT_PAGE_LIMIT)
  }
}

/** The contacts.* and profile.* methods: each goes to the session's ContactsClient (ChatClient.contacts). */
export function contactHandlers(signedIn: () => ChatClientApi): Pick<Handlers, Extract<InvokeMethod, `contacts.${string}` | `profile.${string}`>> {
  const contacts = (): ContactsApi => {
    const client = withExtras(signedIn())
    if (!client.contacts) throw notYetAvailable('Contacts')
    return client.contacts
  }
  return {
    'contacts.state': () => contacts().state(),
    'contacts.search': ({ username }) => contacts().search(username),
    'contacts.request': ({ user, message }) => contacts().sendRequest(user, message),
    'contacts.decide': ({ user, accept }) => contacts().decide(user, accept),
    'contacts.cancel': ({ user }) => contacts().cancelRequest(user),
    'contacts.remove': ({ user }) => contacts().remove(user),
    'contacts.setRemark': ({ user, remark }) => contacts().setRemark(user, remark),
    'contacts.block': ({ user, blocked }) => contacts().setBlocked(user, blocked),
    'contacts.presence': () => contacts().presence(),
    'profile.get': ({ users, fresh }) => contacts().profiles(users, fresh === true),
    'profile.me': () => contacts().myProfile(),
    'profile.update': (patch) =>
      contacts().updateProfile({
        ...(patch.nickname !== undefined ? { nickname: patch.nickname } : {}),
        ...(patch.signature !== undefined ? { signature: patch.signature } : {}),
        ...(patch.statusText !== undefined ? { statusText: patch.statusText } : {}),
        ...(patch.attributes !== undefined ? { attributes: patch.attributes } : {})
      }),
    'profile.changePassword': ({ currentPassword, newPassword }) => contacts().changePassword(currentPassword, newPassword),
    'profile.deleteAccount': async ({ password }) => {
      const client = withExtras(signedIn())
      if (!client.deleteAccount) throw notYetAvailable('Deleting an account')
      await client.deleteAccount(password)
    }
  }
}

/** The groups.* methods: each goes to the session's GroupsClient (ChatClient.groups). */
export function groupHandlers(signedIn: () => ChatClientApi): Pick<Handlers, Extract<InvokeMethod, `groups.${string}`>> {
  const groups = (): GroupsClient => {
    const client = withExtras(signedIn())
    if (!client.groups) throw notYetAvailable('Groups')
    return client.groups
  }
  return {
    'groups.create': (options) => groups().create(options),
    'groups.info': ({ group }) => groups().info(group),
    'groups.update': ({ group, name, description, announcement, settings }) =>
      groups().update(group, {
        ...(name !== undefined ? { name } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(announcement !== undefined ? { announcement } : {}),
        ...(settings !== undefined ? { settings } : {})
      }),
    'groups.dissolve': ({ group }) => groups().dissolve(group),
    'groups.transfer': ({ group, user }) => groups().transfer(group, user),
    'groups.setAdmin': ({ group, user, admin }) => groups().setAdmin(group, user, admin),
    'groups.invite': ({ group, users, message }) => groups().invite(group, users, message ?? ''),
    'groups.remove': ({ group, user }) => groups().remove(group, user),
    'groups.join': ({ group, message }) => groups().join(group, message ?? ''),
    'groups.decideJoin': ({ group, user, accept, reason }) => groups().decideJoin(group, user, accept, reason ?? ''),
    'groups.decideInvitation': ({ group, accept }) => groups().decideInvitation(group, accept),
    'groups.mute': ({ group, user, until }) => groups().mute(group, user, until),
    'groups.muteAll': ({ group, muted }) => groups().muteAll(group, muted),
    'groups.ban': ({ group, user, banned }) => groups().ban(group, user, banned),
    'groups.pin': ({ group, serverId, pinned }) => groups().pin(group, serverId, pinned),
    'groups.leave': ({ group }) => groups().leave(group),
    'groups.members': ({ group, afterUser, limit }) => groups().members(group, afterUser ?? '', limit),
    'groups.directory': ({ query, after, limit }) => groups().directory(query ?? '', after ?? '', limit),
    'groups.mine': () => groups().list(),
    'groups.pending': ({ group }) => groups().pendingJoinRequests(group),
    'groups.invitations': () => groups().invitations()
  }
}

/** The rooms.* methods: each goes to the session's RoomsClient (ids as the server made them: case matters). */
export function roomHandlers(signedIn: () => ChatClientApi): Pick<Handlers, Extract<InvokeMethod, `rooms.${string}`>> {
  const rooms = (): RoomsClient => {
    const client = withExtras(signedIn())
    if (!client.rooms) throw notYetAvailable('Chat rooms')
    return client.rooms
  }
  return {
    'rooms.directory': ({ query, after, limit }) => rooms().directory(query ?? '', after ?? null, limit ?? DEFAULT_PAGE_LIMIT),
    'rooms.create': async ({ name, description, maxMembers }) => ({ room: await rooms().create(name, description ?? '', maxMembers ?? 0) }),
    'rooms.joined': async () => rooms().list(),
    'rooms.join': ({ room }) => rooms().join(room),
    'rooms.leave': ({ room }) => rooms().leave(room),
    'rooms.info': ({ room }) => rooms().info(room),
    'rooms.sendText': ({ room, text }) => rooms().sendText(room, text),
    'rooms.members': ({ room, afterUser, limit }) => rooms().members(room, afterUser ?? null, limit ?? DEFAULT_PAGE_LIMIT),
    'rooms.kick': ({ room, user }) => rooms().kick(room, user),
    'rooms.mute': ({ room, user, durationMs }) => rooms().mute(room, user, durationMs),
    'rooms.muteAll': ({ room, muted }) => rooms().muteAll(room, muted),
    'rooms.ban': ({ room, user, banned }) => rooms().ban(room, user, banned),
    'rooms.setAdmin': ({ room, user, admin }) => rooms().setAdmin(room, user, admin),
    'rooms.update': ({ room, name, description, announcement }) =>
      rooms().update(room, {
        ...(name !== undefined ? { name } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(announcement !== undefined ? { announcement } : {})
      }),
    'rooms.attributes': ({ room }) => rooms().attributes(room),
    'rooms.setAttributes': ({ room, attributes, overwriteOthers }) => rooms().setAttributes(room, attributes, overwriteOthers ?? false),
    'rooms.removeAttributes': ({ room, keys }) => rooms().removeAttributes(room, keys),
    'rooms.delete': ({ room }) => rooms().delete(room)
  }
}
