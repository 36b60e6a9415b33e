// Owns the short words that stand for a message's content where there is no room for the content itself: the
// conversation list's preview, accessible names, reply quotes ("Photo", "Voice message (0:03)", "File: a.pdf").
import type { MessageContent, MediaOrTextContent } from '../../../../shared/model'
import { formatNumber, tr } from '../../i18n/translate'

/** A duration as a player shows it: m:ss, or h:mm:ss from an hour on (negative and unknown read as 0:00). */
export function formatDuration(ms: number): string {
  const totalSeconds = Number.isFinite(ms) && ms > 0 ? Math.round(ms / 1000) : 0
  const hours = Math.floor(totalSeconds / 3600)
  const minutes = Math.floor((totalSeconds % 3600) / 60)
  const seconds = String(totalSeconds % 60).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`
}

const BYTE_UNITS = ['KB', 'MB', 'GB', 'TB'] as const

/** A file size as people read it: "512 B", "1.5 MB" (1024-based, as file managers on every desktop show). */
export function formatFileSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${formatNumber(Math.max(0, Math.round(bytes || 0)))} B`
  let value = bytes
  let unit = -1
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${formatNumber(value, undefined, value >= 10 ? 0 : 1)} ${BYTE_UNITS[unit]}`
}

/** What a location is called in one line: its place name, else its address, else its coordinates. */
export function locationWords(content: { latitude: number; longitude: number; address: string; name: string }): string {
  return content.name.trim() || content.address.trim() || `${content.latitude.toFixed(5)}, ${content.longitude.toFixed(5)}`
}

/**
 * One line for a content that is not text. Null for text (the caller shows the text itself), for notices (their
 * sentence depends on who reads it) and for unsupported content; '' for a command, which is never shown.
 */
export function contentSummary(content: MessageContent | MediaOrTextContent): string | null {
  switch (content.type) {
    case 'image':
      return tr('messages.summary.photo')
    case 'voice':
      return content.durationMs > 0 ? tr('messages.summary.voiceWithDuration', { duration: formatDuration(content.durationMs) }) : tr('messages.summary.voice')
    case 'video':
      return content.durationMs > 0 ? tr('messages.summary.videoWithDuration', { duration: formatDuration(content.durationMs) }) : tr('messages.summary.video')
    case 'file':
      return tr('messages.summary.file', { name: content.file.name || tr('messages.summary.unnamed') })
    case 'location': {
      const place = content.name.trim() || content.address.trim()
      return place ? tr('messages.summary.locationAt', { place }) : tr('messages.summary.location')
    }
    case 'custom':
      return content.fallbackText.trim() || (content.event ? tr('messages.summary.customEvent', { event: content.event }) : tr('messages.summary.custom'))
    case 'combined':
      return content.title.trim() ? tr('messages.summary.historyTitled', { title: content.title.trim() }) : tr('messages.summary.history')
    case 'command':
      return ''
    default:
      return null
  }
}
