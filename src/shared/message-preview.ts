// Owns the one-line text that stands for a message's content where the message itself is not shown: a reply's quote
// (stored in the quote, so every device shows the same words), the reply bar, the pinned bar, the forward dialog.
import type { MessageContent } from './model'

/** A preview's length cap: the first line of a text, cut to this many characters (a quote is one line). */
export const MESSAGE_PREVIEW_MAX_CHARS = 120

/** A short text standing for a content ("Photo", "File: report.pdf", the first line of a text). */
export function messagePreview(content: MessageContent): string {
  switch (content.type) {
    case 'text': {
      const line = [...(content.text.split('\n').find((l) => l.trim() !== '') ?? '')]
      return line.length > MESSAGE_PREVIEW_MAX_CHARS ? `${line.slice(0, MESSAGE_PREVIEW_MAX_CHARS - 1).join('')}…` : line.join('')
    }
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
    case 'command':
    case 'notice':
    case 'unsupported':
      return 'Message'
    case 'recalled':
      return 'Recalled message'
  }
}
