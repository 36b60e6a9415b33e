// The reply helper's renderer state: the message each conversation's composer replies to, jumps to a quoted message
// (and which one is highlighted), each message's reactions, one-to-one pins, and what is being forwarded.
import { reactive, ref } from 'vue'
import { defineStore } from 'pinia'
import type { ChatMessage } from '../../../../shared/model'
import type { MessageReaction } from '../../../../shared/model/reactions'
import { bridge } from '../../bridge'
import { keyOfMessage, toConversationKey, type ConversationKeyString } from '../../utils/conversation-key'
import { conversationKeyString } from '../../../../shared/model'

/** How long a message jumped to stays highlighted: long enough to be found by eye. */
export const JUMP_HIGHLIGHT_MS = 2_000

/** A request to bring a message into view (a quote clicked, a pin clicked). */
export interface JumpRequest {
  conversationKey: ConversationKeyString
  messageId: string | null
  serverId: number | null
  seq: number | null
  /** Distinguishes two jumps to the same message. */
  nonce: number
}

function reactionKey(conversationKey: ConversationKeyString, serverId: number): string {
  return `${conversationKey}#${serverId}`
}

export const useReplyStore = defineStore('reply', () => {
  const replyTargets = reactive(new Map<ConversationKeyString, ChatMessage>())
  const jump = ref<JumpRequest | null>(null)
  const highlightedId = ref<string | null>(null)
  const reactions = reactive(new Map<string, MessageReaction[]>())
  const pins = reactive(new Map<ConversationKeyString, number[]>())
  /** The messages chosen for forwarding (the dialog is open while not null). */
  const forwarding = ref<ChatMessage[] | null>(null)
  /** Conversations in select mode: the ids of the messages ticked. */
  const selecting = reactive(new Map<ConversationKeyString, Set<string>>())
  let nonce = 0
  let highlightTimer: ReturnType<typeof setTimeout> | null = null

  bridge.on('reactions.changed', (changed) => {
    reactions.set(reactionKey(conversationKeyString(changed.conversation), changed.serverId), changed.reactions)
  })
  bridge.on('pins.changed', (changed) => {
    pins.set(conversationKeyString(changed.conversation), changed.pinned)
  })
  // A group's pins change with a notice in its timeline ("Alice pinned a message"): read them again.
  bridge.on('message.upsert', (message) => {
    if (message.content.type === 'notice' && (message.content.kind === 'pinned' || message.content.kind === 'unpinned')) {
      loadPins(keyOfMessage(message)).catch(() => undefined)
    }
  })

  function replyTo(message: ChatMessage): void {
    replyTargets.set(keyOfMessage(message), message)
  }
  function cancelReply(conversationKey: ConversationKeyString): void {
    replyTargets.delete(conversationKey)
  }
  function replyTargetOf(conversationKey: ConversationKeyString): ChatMessage | null {
    return replyTargets.get(conversationKey) ?? null
  }

  function jumpTo(conversationKey: ConversationKeyString, target: { messageId: string | null; serverId: number | null; seq: number | null }): void {
    jump.value = { conversationKey, ...target, nonce: ++nonce }
  }
  function highlight(messageId: string): void {
    highlightedId.value = messageId
    if (highlightTimer) clearTimeout(highlightTimer)
    highlightTimer = setTimeout(() => {
      highlightedId.value = null
    }, JUMP_HIGHLIGHT_MS)
  }

  function reactionsOf(message: ChatMessage): MessageReaction[] {
    return message.serverId === null ? [] : (reactions.get(reactionKey(keyOfMessage(message), message.serverId)) ?? [])
  }
  /** Reads the reactions of loaded messages from the server (a group's pushes missed while away, a new device). */
  async function loadReactions(conversationKey: ConversationKeyString, messages: readonly ChatMessage[]): Promise<void> {
    const ids = messages.flatMap((m) => (m.serverId !== null && m.content.type !== 'notice' ? [m.serverId] : []))
    if (ids.length === 0) return
    const asked = ids.slice(-200)
    const rows = await bridge.invoke('reactions.of', { conversation: toConversationKey(conversationKey), serverIds: asked, refresh: true })
    // Only what was asked for is replaced: the rest of a long loaded history keeps its reactions (and is not walked).
    for (const id of asked) reactions.delete(reactionKey(conversationKey, id))
    for (const row of rows) reactions.set(reactionKey(conversationKey, row.serverId), row.reactions)
  }
  async function toggleReaction(message: ChatMessage, emoji: string, me: string): Promise<void> {
    if (message.serverId === null) return
    const mine = reactionsOf(message).some((r) => r.emoji === emoji && r.users.includes(me))
    const changed = await bridge.invoke('reactions.react', { conversation: toConversationKey(keyOfMessage(message)), serverId: message.serverId, emoji, remove: mine })
    reactions.set(reactionKey(keyOfMessage(message), message.serverId), changed.reactions)
  }

  function pinsOf(conversationKey: ConversationKeyString): number[] {
    return pins.get(conversationKey) ?? []
  }
  async function loadPins(conversationKey: ConversationKeyString): Promise<void> {
    const key = toConversationKey(conversationKey)
    // Groups keep their pins in the group's info (owner and admins pin with groups.pin).
    if (key.type === 'group') pins.set(conversationKey, (await bridge.invoke('groups.info', { group: key.id })).pinned)
    else if (key.type === 'single') pins.set(conversationKey, await bridge.invoke('pins.set', { conversation: key, serverId: null, pinned: false }))
  }
  async function setPinned(message: ChatMessage, pinned: boolean): Promise<void> {
    if (message.serverId === null) return
    if (message.chatType === 'group') {
      await bridge.invoke('groups.pin', { group: message.conversationId, serverId: message.serverId, pinned })
      await loadPins(keyOfMessage(message))
      return
    }
    const list = await bridge.invoke('pins.set', { conversation: toConversationKey(keyOfMessage(message)), serverId: message.serverId, pinned })
    pins.set(keyOfMessage(message), list)
  }

  function startForward(messages: ChatMessage[]): void {
    forwarding.value = messages
  }
  function toggleSelected(message: ChatMessage): void {
    const key = keyOfMessage(message)
    const set = new Set(selecting.get(key) ?? [])
    if (set.has(message.id)) set.delete(message.id)
    else set.add(message.id)
    selecting.set(key, set)
  }
  function startSelecting(message: ChatMessage): void {
    selecting.set(keyOfMessage(message), new Set([message.id]))
  }
  function stopSelecting(conversationKey: ConversationKeyString): void {
    selecting.delete(conversationKey)
  }

  return {
    replyTargets,
    jump,
    highlightedId,
    forwarding,
    selecting,
    replyTo,
    cancelReply,
    replyTargetOf,
    jumpTo,
    highlight,
    reactionsOf,
    loadReactions,
    toggleReaction,
    pinsOf,
    loadPins,
    setPinned,
    startForward,
    toggleSelected,
    startSelecting,
    stopSelecting
  }
})
