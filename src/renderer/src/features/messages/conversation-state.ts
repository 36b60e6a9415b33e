// Keeps the conversation list in step with my conversation states from any of my devices: a deleted conversation
// leaves the list (and its loaded messages go), and opening a conversation marked unread clears the mark.
import { watch } from 'vue'
import { bridge } from '../../bridge'
import { useConversationStore } from '../../stores/conversations'
import { useMessageStore } from '../../stores/messages'
import { conversationKeyString } from '../../../../shared/model'
import { toConversationKey } from '../../utils/conversation-key'

let started = false

export function useConversationStateSync(): void {
  if (started) return
  started = true
  const conversations = useConversationStore()
  const messages = useMessageStore()
  bridge.on('conversations.state', (state) => {
    if (!state.deleted) return
    const key = conversationKeyString(state.conversation)
    conversations.remove(key)
    messages.forget(key)
  })
  watch(
    () => conversations.selected,
    (open) => {
      if (!open?.markedUnread || !conversations.selectedKey) return
      bridge.invoke('conversations.setState', { conversation: toConversationKey(conversations.selectedKey), markedUnread: false }).catch(() => undefined)
    }
  )
}
