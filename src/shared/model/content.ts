// The message content types besides text: media and files (an uploaded attachment each), location, command,
// custom and combined (forwarded) messages, and what a reply quotes. Plain data; wire mapping in core/protocol.

/** An uploaded file as a message refers to it (the server's record fills size, sha256, mime and the secret). */
export interface AttachmentInfo {
  /** The server's id of the bytes; '' while the file is still being uploaded from this device. */
  id: string
  /** File name to show and save as (never a path). */
  name: string
  mime: string
  /** Bytes. */
  size: number
  /** Hex SHA-256 of the bytes ('' until the server has them). */
  sha256: string
  /** Share secret: a download that presents it needs no membership of the conversation. */
  secret: string
  /** The server made a thumbnail (images, video posters). */
  hasThumbnail: boolean
}

export interface ImageContent {
  type: 'image'
  file: AttachmentInfo
  width: number
  height: number
}

export interface VoiceContent {
  type: 'voice'
  file: AttachmentInfo
  durationMs: number
}

export interface VideoContent {
  type: 'video'
  file: AttachmentInfo
  durationMs: number
  width: number
  height: number
  /** A still frame uploaded as an image; null when none. */
  poster: AttachmentInfo | null
}

export interface FileContent {
  type: 'file'
  file: AttachmentInfo
}

export interface LocationContent {
  type: 'location'
  latitude: number
  longitude: number
  address: string
  /** A place name; '' when none. */
  name: string
}

/** Delivered to the app and never shown (the seed service's "command" messages). */
export interface CommandContent {
  type: 'command'
  action: string
  params: Record<string, string>
}

/** An app-defined type: shown as a card of its fields, or its fallback text. */
export interface CustomContent {
  type: 'custom'
  event: string
  fields: Record<string, string>
  fallbackText: string
}

/** One message inside a combined (merged forward) message: who sent what, when. */
export interface CombinedItem {
  from: string
  timestamp: number
  /** The original's content (never itself a command). */
  content: MediaOrTextContent
}

export interface CombinedContent {
  type: 'combined'
  title: string
  items: CombinedItem[]
}

/** A text as it appears inside a combined message (no mentions: they belonged to the original conversation). */
export interface PlainTextContent {
  type: 'text'
  text: string
}

export type MediaOrTextContent =
  | PlainTextContent
  | ImageContent
  | VoiceContent
  | VideoContent
  | FileContent
  | LocationContent
  | CustomContent
  | CombinedContent

/** What a reply quotes: enough to show the quote, and where the original is. */
export interface ReplyInfo {
  /** The original's client id (32 hex digits). */
  id: string
  serverId: number | null
  from: string
  /** A short text of the original ("Photo", the first line of a text). */
  preview: string
  /** The original's position in the conversation, for jumping to it; null when unknown. */
  seq: number | null
}
