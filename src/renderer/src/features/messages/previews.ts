// Owns the one-line text that stands for a message in the renderer (the reply bar, the pinned bar, the forward
// dialog): the same words the core puts in a reply's quote (src/shared/message-preview.ts).
import type { ChatMessage } from '../../../../shared/model'
import { messagePreview } from '../../../../shared/message-preview'

export function previewText(message: ChatMessage): string {
  return messagePreview(message.content)
}
