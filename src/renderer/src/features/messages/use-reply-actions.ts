// The reply helper's items of a bubble's action menu: Reply, Forward, Select (to forward several), React,
// Pin/Unpin, Copy text. Each item only asks the feature's store to act; the stores own the state.
import { computed, ref, type ComputedRef, type Ref } from 'vue'
import type { ChatMessage } from '../../../../shared/model'
import { bridge } from '../../bridge'
import { runsGroup, useGroupStore } from '../groups/groups-store'
import { keyOfMessage } from '../../utils/conversation-key'
import type { MessageAction } from './message-actions'
import { useReplyStore } from './reply-store'

/** Text a person would paste: the text of a text message, nothing for other kinds. */
export function copyableText(message: ChatMessage): string | null {
  return message.content.type === 'text' ? message.content.text : null
}

export function useReplyActions(message: () => ChatMessage): { items: ComputedRef<MessageAction[]>; picking: Ref<boolean> } {
  const reply = useReplyStore()
  const groups = useGroupStore()
  const picking = ref(false)

  const items = computed(() => {
    const current = message()
    const items: MessageAction[] = []
    const onServer = current.serverId !== null
    const content = current.content.type
    if (content === 'notice' || content === 'command' || content === 'unsupported') return items
    if (onServer && current.chatType !== 'room') {
      items.push({ id: 'reply', label: 'Reply', icon: '↩', run: () => reply.replyTo(current) })
      items.push({ id: 'forward', label: 'Forward', icon: '↪', run: () => reply.startForward([current]) })
      items.push({ id: 'select', label: 'Select messages', icon: '☑', run: () => reply.startSelecting(current) })
      items.push({ id: 'react', label: 'React', icon: '☺', run: () => void (picking.value = true) })
    }
    if (onServer && current.chatType === 'single') {
      const pinned = reply.pinsOf(keyOfMessage(current)).includes(current.serverId!)
      items.push({ id: pinned ? 'unpin' : 'pin', label: pinned ? 'Unpin' : 'Pin', icon: '📌', run: () => reply.setPinned(current, !pinned) })
    }
    // Groups keep their pins in the group (owner and admins pin; the group's info lists them).
    if (onServer && current.chatType === 'group' && runsGroup(groups.summaryOf(current.conversationId)?.myRole)) {
      items.push({
        id: 'pin',
        label: 'Pin',
        icon: '📌',
        run: async () => {
          await bridge.invoke('groups.pin', { group: current.conversationId, serverId: current.serverId!, pinned: true })
        }
      })
    }
    const text = copyableText(current)
    if (text !== null) items.push({ id: 'copy', label: 'Copy text', icon: '⧉', run: () => navigator.clipboard.writeText(text) })
    return items
  })
  return { items, picking }
}
