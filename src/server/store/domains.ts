// Owns how the store is split by domain: each domain (contacts, groups, rooms, ...) brings its own store interface
// and SQLite module in store/<domain>/, and this file is the one place that opens them together. The contracts
// they share live in domain-context.ts (what a domain gets) and domain-stores.ts (what the domains offer).
import type { Synchronous } from './records'
import type { DomainContext } from './domain-context'
import type { DomainStores } from './domain-stores'
import { openGroupsSqlite } from './groups/sqlite'
import { openRoomsSqlite } from './rooms/sqlite'
import { openContactsSqlite } from './contacts/sqlite'
import { openProfilesSqlite } from './profiles/sqlite'
import { openPlatformSqlite } from './platform/sqlite'
import { openMessageOpsSqlite } from './message-ops/sqlite'
import { openAttachmentsSqlite } from './attachments/sqlite'
import { openReactionsSqlite } from './reactions/sqlite'
import { openDevicesSqlite } from './devices/sqlite'
import { openReceiptsSqlite } from './receipts/sqlite'

export type { DomainContext, DomainHooks } from './domain-context'
export { DOMAIN_METHODS, type DomainStores } from './domain-stores'

export function openSqliteDomains(context: DomainContext): Synchronous<DomainStores> {
  return {
    ...openRoomsSqlite(context),
    ...openContactsSqlite(context),
    ...openProfilesSqlite(context),
    ...openGroupsSqlite(context),
    ...openPlatformSqlite(context),
    ...openAttachmentsSqlite(context),
    ...openReactionsSqlite(context),
    ...openDevicesSqlite(context),
    ...openReceiptsSqlite(context),
    ...openMessageOpsSqlite(context)
  }
}
