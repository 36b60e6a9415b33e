// The domain types every layer speaks, in one import: the core types (messages.ts) and each domain's own file.
// Plain serialisable data only (they cross IPC and the browser-host socket as structured clones / JSON).
export * from './messages'
export type * from './groups'
export type * from './content'
export type * from './reactions'
export type * from './attachments'
export type * from './search'
export type * from './receipts'
export type * from './settings'
