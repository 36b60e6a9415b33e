// Owns what every groups module is handed when the store opens: the store's domain context, the prepared
// statements and the group heads — one instance of each per writer connection, passed down, never re-created.
import type { DomainContext } from '../domain-context'
import type { GroupHeads } from './heads'
import type { GroupStatements } from './statements'

export interface GroupsShared {
  context: DomainContext
  sql: GroupStatements
  heads: GroupHeads
}
