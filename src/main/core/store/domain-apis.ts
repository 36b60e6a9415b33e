// Owns the type of MessageStore.domains: every domain's local API by name. Apart from domains.ts (which opens
// them) so the store's contract can name it without importing the domains' code.
import type { ContactsStoreApi } from './contacts'
import type { GroupsStoreApi } from './groups'
import type { RoomsStoreApi } from './rooms'
import type { MessageOpsStoreApi } from './message-ops'
import type { ReactionsStoreApi } from './reactions'
import type { AttachmentsStoreApi } from './attachments'
import type { ReceiptsStoreApi } from './receipts'

/** Every domain's local API, by name; MessageStore.domains has this type. A new domain adds its entry here. */
export interface StoreDomainApis {
  groups: GroupsStoreApi
  contacts: ContactsStoreApi
  rooms: RoomsStoreApi
  /** Recall, edit, delete and self-destruct (store/message-ops). */
  messageOps: MessageOpsStoreApi
  reactions: ReactionsStoreApi
  attachments: AttachmentsStoreApi
  receipts: ReceiptsStoreApi
}
