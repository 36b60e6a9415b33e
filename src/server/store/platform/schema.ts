// Owns the platform API's schema change: a banned account (users.banned_at) is refused at sign-in.
// Appended to store/migrations.ts as one entry; never edited once shipped.

/** users.banned_at: when an operator banned the account through the platform API (NULL = not banned). */
export const PLATFORM_SCHEMA_SQL = `
  ALTER TABLE users ADD COLUMN banned_at INTEGER;
`
