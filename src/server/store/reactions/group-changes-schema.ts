// Owns the schema change of group reaction catch-up (issue 7 left): where each group message stands in its group's
// reaction changes. Appended to store/migrations.ts as one entry; never edited once shipped.

/**
 * Group reaction catch-up (issue 7 left): a group's log has no reaction entries, so each message whose reactions
 * changed gets the group's next change position here (one row per message, moved forward by every change). A device
 * asks for the messages changed after its cursor (GroupReactionsSyncRequest) and re-reads only those.
 */
export const GROUP_REACTION_CHANGES_SCHEMA_SQL = `
  CREATE TABLE group_reaction_changes (
    group_id TEXT NOT NULL,
    server_id INTEGER NOT NULL,
    change_seq INTEGER NOT NULL,
    PRIMARY KEY (group_id, server_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX group_reaction_changes_by_seq ON group_reaction_changes (group_id, change_seq);
`
