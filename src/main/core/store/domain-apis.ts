// Owns the type of MessageStore.domains: every domain's local API by name, as its callers see it (every method
// answers a promise: the store runs in a worker thread) and as the domain opens it on the connection.
// Apart from domains.ts (which opens them) so the store's contract can name it without importing the domains' code.
import type { ContactsStoreApi } from './contacts'
import type { GroupsStoreApi } from './groups'
import type { RoomsStoreApi } from './rooms'
import type { MessageOpsStoreApi } from './message-ops'
import type { ReactionsStoreApi } from './reactions'
import type { AttachmentsStoreApi } from './attachments'
import type { ReceiptsStoreApi } from './receipts'

/** Every domain's API as opened on the connection (synchronous where the domain is). A new domain adds its entry here. */
export interface OpenedStoreDomainApis {
  groups: GroupsStoreApi
  contacts: ContactsStoreApi
  rooms: RoomsStoreApi
  /** Recall, edit, delete and self-destruct (store/message-ops). */
  messageOps: MessageOpsStoreApi
  reactions: ReactionsStoreApi
  attachments: AttachmentsStoreApi
  receipts: ReceiptsStoreApi
}

/** An API whose every method answers a promise of what the synchronous one returns. */
export type Promised<Api> = {
  [K in keyof Api]: Api[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never
}

/** Every domain's local API, by name, as MessageStore.domains offers it: each call is one trip to the store's thread. */
export type StoreDomainApis = { [Domain in keyof OpenedStoreDomainApis]: Promised<OpenedStoreDomainApis[Domain]> }

/** The domain names (the worker's message routing checks a request's target against them). */
export const STORE_DOMAIN_NAMES: ReadonlyArray<keyof OpenedStoreDomainApis> = [
  'groups',
  'contacts',
  'rooms',
  'messageOps',
  'reactions',
  'attachments',
  'receipts'
]

/** The opened APIs behind promises, for a store that runs on the caller's thread (tests). */
export function promisedDomainApis(opened: OpenedStoreDomainApis): StoreDomainApis {
  const wrap = (api: object): Record<string, (...args: unknown[]) => Promise<unknown>> => {
    const methods: Record<string, (...args: unknown[]) => Promise<unknown>> = {}
    for (const [name, member] of Object.entries(api)) {
      if (typeof member !== 'function') continue
      methods[name] = async (...args: unknown[]) => (member as (...a: unknown[]) => unknown).apply(api, args)
    }
    return methods
  }
  const apis: Record<string, unknown> = {}
  for (const name of STORE_DOMAIN_NAMES) apis[name] = wrap(opened[name])
  return apis as unknown as StoreDomainApis // built from the same names and methods as OpenedStoreDomainApis
}
