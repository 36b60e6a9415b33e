// Owns opening the SQLite side of groups: it prepares the statements once, hands the shared parts to the modules
// that own each concern (changes, reads, group messages, deleted-account cleanup) and plugs their hooks into the core.
import type { DomainContext } from '../domain-context'
import type { Synchronous } from '../records'
import { createDeletedAccountCleanup } from './account-cleanup'
import { createChangeWriter } from './change-log'
import { createGroupChanges } from './changes'
import { createGroupHeads } from './heads'
import { createGroupMessages } from './messages'
import { createGroupReads } from './reads'
import type { GroupsShared } from './shared'
import { createGroupStandings, notFound } from './standing'
import { prepareGroupStatements } from './statements'
import type { GroupsStore } from './types'

export function openGroupsSqlite(context: DomainContext): Synchronous<GroupsStore> {
  const { db } = context
  const sql = prepareGroupStatements(db)
  const heads = createGroupHeads(sql, { cache: context.soleWriter })
  const shared: GroupsShared = { context, sql, heads }
  const standings = createGroupStandings(shared)
  const writer = createChangeWriter(shared)
  const messages = createGroupMessages(shared, standings)

  context.hooks.appendGroupMessage = messages.appendGroupMessage
  context.hooks.transactionCommitted = heads.committed
  context.hooks.transactionRolledBack = heads.rolledBack
  context.hooks.groupHead = heads.headOf
  context.hooks.countGroupUnread = messages.countGroupUnread
  context.hooks.decideGroupMessageOperation = (operation, user, groupId, now) => {
    const standing = standings.standingOf(user, groupId)
    if (!standing) return notFound(groupId).refusal
    return standings.decide(operation, user, standing, now)?.refusal ?? null
  }
  context.hooks.groupMemberNames = (groupId) => sql.allMembers.all(groupId).map((member) => member.user)

  return {
    ...createGroupChanges(shared, standings, writer),
    ...createGroupReads(shared, standings),
    ...createDeletedAccountCleanup(shared, writer),
    tableRowCounts() {
      const counts: Record<string, number> = {}
      for (const { name } of sql.tableNames.all()) {
        // Names come from sqlite_master itself, quoted as identifiers.
        const row = db.prepare(`SELECT COUNT(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as { n: number }
        counts[name] = row.n
      }
      return counts
    }
  }
}
