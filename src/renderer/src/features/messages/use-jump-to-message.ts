// Brings a message into view in the message list when asked (a reply's quote or a pin clicked): loads older pages
// until it is there (or the history ends), scrolls it to the middle of the view and highlights it; one further
// away opens the chat around it (messages.around).
import { nextTick, watch, type ComputedRef, type Ref } from 'vue'
import type { ChatMessage } from '../../../../shared/model'
import type { ConversationMessages } from '../../stores/messages'
import { useMessageStore } from '../../stores/messages'
import { useReplyStore, type JumpRequest } from './reply-store'

/** Older pages loaded at most to reach a quoted message (50 each): a quote of something older says so instead. */
export const MAX_PAGES_TO_QUOTED = 20

interface JumpOptions {
  conversationKey: () => string
  items: ComputedRef<ChatMessage[]>
  state: ComputedRef<ConversationMessages | undefined>
  scrollToIndex: (index: number) => void
  /** The list stops following the bottom while the user looks at an older message. */
  followsBottom: Ref<boolean>
}

function matches(message: ChatMessage, jump: JumpRequest): boolean {
  return (jump.messageId !== null && message.id === jump.messageId) || (jump.serverId !== null && message.serverId === jump.serverId)
}

export function useJumpToMessage(options: JumpOptions): void {
  const reply = useReplyStore()
  const messages = useMessageStore()

  watch(
    () => reply.jump,
    async (jump) => {
      if (!jump || jump.conversationKey !== options.conversationKey()) return
      let index = options.items.value.findIndex((m) => matches(m, jump))
      for (let page = 0; index < 0 && page < MAX_PAGES_TO_QUOTED && options.state.value?.hasMore; page++) {
        if ((await messages.loadOlder(jump.conversationKey)) === 0) break
        index = options.items.value.findIndex((m) => matches(m, jump))
      }
      if (index < 0) {
        // Further back than that, or newer than a window opened at the chat's start (Home): open the chat around it,
        // as a search hit is (the list scrolls to it and highlights it); a message not on this device stays put.
        if (jump.messageId !== null) await messages.jumpTo(jump.conversationKey, jump.messageId).catch(() => undefined)
        return
      }
      const target = options.items.value[index]!
      options.followsBottom.value = false
      await nextTick()
      options.scrollToIndex(index)
      // Rows measured by the jump can move it; once more after they are.
      await new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)))
      options.scrollToIndex(index)
      reply.highlight(target.id)
    }
  )
}
