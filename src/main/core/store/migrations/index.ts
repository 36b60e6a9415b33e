// The ordered list of schema migrations. Add a new file NNN-name.ts exporting { version, up(db) } and list
// it here; never edit a migration that has shipped.
import type { Database } from 'better-sqlite3'
import * as initial from './001-initial'
import * as search from './002-search'
import * as keysReadStateSearch from './003-keys-read-state-search'
import * as sendFailingTime from './004-send-failing-time'
import * as contacts from './005-contacts'
import * as groups from './006-groups'
import * as rooms from './007-rooms'
import * as messageOps from './010-message-ops'
import * as reactions from './011-reactions'
import * as attachments from './008-attachments'
import * as receipts from './009-receipts'
import * as searchBackfill from './012-search-backfill'
import * as deletedForMe from './013-deleted-for-me'
import * as conversationMute from './014-conversation-mute'
import * as groupReactionCursors from './015-group-reaction-cursors'

export interface Migration {
  version: number
  up(db: Database): void
}

export const MIGRATIONS: readonly Migration[] = [
  initial, search, keysReadStateSearch, sendFailingTime, contacts, groups, rooms, attachments, receipts, messageOps, reactions, searchBackfill, deletedForMe,
  conversationMute,
  groupReactionCursors
]

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((latest, m) => Math.max(latest, m.version), 0)
