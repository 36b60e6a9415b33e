// Recall, edit, delete for me, clear and the disappearing timer in the renderer: which message the composer is
// editing per conversation, each conversation's timer as last heard, and the core calls behind the menu items.
// Messages that leave the device ('messages.removed') leave the timeline here.
import { reactive } from 'vue'
import { defineStore } from 'pinia'
import type { ChatMessage } from '../../../../shared/model'
import { bridge } from '../../bridge'
import { useMessageStore } from '../../stores/messages'
import { followSignedInSession } from '../../stores/session'
import { keyOfMessage, toConversationKey } from '../../utils/conversation-key'
import { conversationKeyString } from '../../../../shared/model'

/** The disappearing timers offered (seconds; 0 = off), with their names. */
export const DISAPPEARING_CHOICES: ReadonlyArray<{ seconds: number; labelKey: string }> = [
  { seconds: 0, labelKey: 'messages.ops.timer.off' },
  { seconds: 30, labelKey: 'messages.ops.timer.s30' },
  { seconds: 5 * 60, labelKey: 'messages.ops.timer.m5' },
  { seconds: 60 * 60, labelKey: 'messages.ops.timer.h1' },
  { seconds: 24 * 60 * 60, labelKey: 'messages.ops.timer.d1' },
  { seconds: 7 * 24 * 60 * 60, labelKey: 'messages.ops.timer.w1' }
]

export const useMessageOpsStore = defineStore('message-ops', () => {
  const messages = useMessageStore()
  /** Conversation key -> the message its composer is editing. */
  const editing = reactive(new Map<string, ChatMessage>())
  /** Conversation key -> its disappearing timer in seconds, as last heard. */
  const timers = reactive(new Map<string, number>())

  bridge.on('messages.removed', ({ conversation, ids }) => {
    const key = conversationKeyString(conversation)
    messages.removeMessages(key, ids)
    if (editing.get(key) && ids.includes(editing.get(key)!.id)) editing.delete(key)
  })
  bridge.on('conversation.settings', ({ conversation, disappearAfterSec }) => {
    timers.set(conversationKeyString(conversation), disappearAfterSec)
  })
  // An edited or recalled message that is being edited here stops being edited.
  bridge.on('message.upsert', (message) => {
    const key = keyOfMessage(message)
    if (editing.get(key)?.id === message.id && message.content.type !== 'text') editing.delete(key)
  })

  async function recall(message: ChatMessage): Promise<void> {
    const changed = await bridge.invoke('messages.recall', { conversation: toConversationKey(keyOfMessage(message)), messageId: message.id })
    if (changed) messages.mergeOne(changed)
  }

  function startEdit(message: ChatMessage): void {
    if (message.content.type === 'text') editing.set(keyOfMessage(message), message)
  }

  function editingIn(conversationKey: string): ChatMessage | null {
    return editing.get(conversationKey) ?? null
  }

  function cancelEdit(conversationKey: string): void {
    editing.delete(conversationKey)
  }

  async function saveEdit(conversationKey: string, text: string): Promise<void> {
    const target = editing.get(conversationKey)
    if (!target) return
    const changed = await bridge.invoke('messages.edit', { conversation: toConversationKey(conversationKey), messageId: target.id, text })
    editing.delete(conversationKey)
    if (changed) messages.mergeOne(changed)
  }

  async function deleteForMe(message: ChatMessage): Promise<void> {
    await bridge.invoke('messages.deleteForMe', { conversation: toConversationKey(keyOfMessage(message)), messageIds: [message.id] })
  }

  async function clear(conversationKey: string, everywhere: boolean): Promise<void> {
    await bridge.invoke('conversations.clear', { conversation: toConversationKey(conversationKey), everywhere })
  }

  async function loadTimer(conversationKey: string): Promise<number> {
    const { seconds } = await bridge.invoke('conversations.disappearingTimer', { conversation: toConversationKey(conversationKey) })
    timers.set(conversationKey, seconds)
    return seconds
  }

  async function setTimer(conversationKey: string, seconds: number): Promise<void> {
    const answer = await bridge.invoke('conversations.setDisappearingTimer', { conversation: toConversationKey(conversationKey), seconds })
    timers.set(conversationKey, answer.seconds)
  }

  function timerOf(conversationKey: string): number {
    return timers.get(conversationKey) ?? 0
  }

  function reset(): void {
    editing.clear()
    timers.clear()
  }

  // What one account edited or heard must not show for the next one signed in here.
  followSignedInSession(async () => {}, reset)

  return { recall, startEdit, editingIn, cancelEdit, saveEdit, deleteForMe, clear, loadTimer, setTimer, timerOf, reset }
})
