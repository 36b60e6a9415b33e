// Message search as the core answers it and the renderer shows it: hits with a snippet and the match ranges in it,
// grouped by conversation, and how far back the local history (what search can find) reaches.
import type { ChatMessage, ConversationKey } from './messages'

/** A match inside a snippet: UTF-16 offsets, end exclusive. */
export interface SearchRange {
  start: number
  end: number
}

export interface SearchHit {
  message: ChatMessage
  /** One line of the message's searchable text around the first match ('…' where it was cut). */
  snippet: string
  /** Where the query's words are in `snippet`, sorted, not overlapping. */
  ranges: SearchRange[]
}

/** The hits of one conversation, newest first; groups are ordered by their newest hit. */
export interface SearchResultGroup {
  conversation: ConversationKey
  /** The conversation's name as the list shows it (null: show the id). */
  title: string | null
  hits: SearchHit[]
}

/**
 * The background back-fill of older history on this device (search finds only what is stored locally).
 * state: 'running' fetching pages, 'paused' the user is active or the app is offline, 'done' every conversation
 * reaches back to the window's start or to its first message, 'off' the window is 0 days.
 */
export interface BackfillStatus {
  state: 'running' | 'paused' | 'done' | 'off'
  /** How many days of history the device keeps back-filling (a setting). */
  windowDays: number
  /** ms since epoch: every conversation's messages since then are on this device; null = all of them. */
  since: number | null
}

export interface SearchResults {
  query: string
  groups: SearchResultGroup[]
  backfill: BackfillStatus
}

/**
 * A window of a conversation's history that need not reach its newest message (opening a search result far
 * back): oldest first; hasMore: older messages exist; hasNewer: newer ones exist beyond the last.
 */
export interface MessageWindow {
  messages: ChatMessage[]
  hasMore: boolean
  hasNewer: boolean
}
