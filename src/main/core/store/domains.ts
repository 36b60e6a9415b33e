// Owns how the account's store is split by domain on the device: each domain (contacts, groups, rooms, ...) keeps
// its tables in the same database, applies its user-log events inside the sync batch's transaction, and offers
// its own local API; this file is the one place that composes them (the server's store/domains.ts is the twin).
// The contract they share is in domain-types.ts, so a domain never imports this composer.
import type { Conversation } from '../../../shared/model'
import { openContactsStore } from './contacts'
import { openGroupsStore } from './groups'
import { openRoomsStore } from './rooms'
import { openMessageOpsStore } from './message-ops'
import { openReactionsStore } from './reactions'
import { openAttachmentsStore } from './attachments'
import { openReceiptsStore } from './receipts'
import type { OpenedStoreDomainApis } from './domain-apis'
import type { StoreDomain, StoreDomainContext, UserEventApplier, UserEventKind } from './domain-types'


export interface OpenedStoreDomains {
  appliers: Map<UserEventKind, UserEventApplier>
  apis: OpenedStoreDomainApis
  /** Every domain's describe() in turn. */
  describe: (conversation: Conversation) => Conversation
}

/** Opens every domain on the connection (their tables come from the numbered migrations). */
export function openStoreDomains(context: StoreDomainContext): OpenedStoreDomains {
  const domains: Array<StoreDomain<unknown> & { name: keyof OpenedStoreDomainApis | string }> = [
    { name: 'groups', ...openGroupsStore(context) },
    { name: 'contacts', ...openContactsStore(context) },
    { name: 'rooms', ...openRoomsStore(context) },
    { name: 'messageOps', ...openMessageOpsStore(context) },
    { name: 'reactions', ...openReactionsStore(context) },
    { name: 'attachments', ...openAttachmentsStore(context) },
    { name: 'receipts', ...openReceiptsStore(context) }
  ]
  const appliers = new Map<UserEventKind, UserEventApplier>()
  const apis: Record<string, unknown> = {}
  for (const domain of domains) {
    for (const [kind, applier] of Object.entries(domain.appliers) as Array<[UserEventKind, UserEventApplier]>) {
      if (appliers.has(kind)) throw new Error(`Two store domains apply '${kind}' events.`)
      appliers.set(kind, applier)
    }
    apis[domain.name] = domain.api
  }
  const describers = domains.flatMap((domain) => (domain.describe ? [domain.describe] : []))
  const describe = (conversation: Conversation): Conversation => describers.reduce((c, d) => d(c), conversation)
  return { appliers, apis: apis as unknown as OpenedStoreDomainApis, describe }
}
