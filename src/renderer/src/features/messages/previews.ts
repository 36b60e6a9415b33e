// Owns the one-line text that stands for a message in the renderer (the reply bar, the pinned bar, the forward
// dialog), in the same words the core puts in a reply's quote.
import type { ChatMessage } from '../../../../shared/model'

export function previewText(message: ChatMessage): string {
  const content = message.content
  switch (content.type) {
    case 'text':
      return content.text.split('\n').find((line) => line.trim() !== '') ?? ''
    case 'image':
      return 'Photo'
    case 'voice':
      return 'Voice message'
    case 'video':
      return 'Video'
    case 'file':
      return `File: ${content.file.name}`
    case 'location':
      return content.name || content.address || 'Location'
    case 'custom':
      return content.fallbackText || content.event
    case 'combined':
      return content.title || 'Chat history'
    default:
      return 'Message'
  }
}
