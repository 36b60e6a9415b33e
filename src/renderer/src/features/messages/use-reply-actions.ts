// The reply helper's items of a bubble's action menu: Reply, Forward, Select (to forward several), React,
// Pin/Unpin, Copy text. Each item only asks the feature's store to act; the stores own the state.
import { computed, ref, type ComputedRef, type Ref } from 'vue'
import type { ChatMessage } from '../../../../shared/model'
import { runsGroup, useGroupStore } from '../groups/groups-store'
import { keyOfMessage } from '../../utils/conversation-key'
import type { MessageAction } from './message-actions'
import { useReplyStore } from './reply-store'
import { tr } from '../../i18n/translate'

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
      items.push({ id: 'reply', label: tr('messages.actions.reply'), icon: '↩', run: () => reply.replyTo(current) })
      items.push({ id: 'forward', label: tr('messages.actions.forward'), icon: '↪', run: () => reply.startForward([current]) })
      items.push({ id: 'select', label: tr('messages.actions.select'), icon: '☑', run: () => reply.startSelecting(current) })
      items.push({ id: 'react', label: tr('messages.actions.react'), icon: '☺', run: () => void (picking.value = true) })
    }
    if (onServer && current.chatType === 'single') {
      const pinned = reply.pinsOf(keyOfMessage(current)).includes(current.serverId!)
      items.push({ id: pinned ? 'unpin' : 'pin', label: pinned ? tr('messages.actions.unpin') : tr('messages.actions.pin'), icon: 'pin', run: () => reply.setPinned(current, !pinned) })
    }
    // Groups keep their pins in the group: owner and admins pin there.
    if (onServer && current.chatType === 'group' && runsGroup(groups.summaryOf(current.conversationId)?.myRole)) {
      const pinned = reply.pinsOf(keyOfMessage(current)).includes(current.serverId!)
      items.push({ id: pinned ? 'unpin' : 'pin', label: pinned ? tr('messages.actions.unpin') : tr('messages.actions.pin'), icon: 'pin', run: () => reply.setPinned(current, !pinned) })
    }
    const text = copyableText(current)
    if (text !== null) items.push({ id: 'copy', label: tr('messages.actions.copy'), icon: 'copy', run: () => navigator.clipboard.writeText(text) })
    return items
  })
  return { items, picking }
}
