// Owns the devices domain's schema change: what the device list shows of each device session.
// Appended to store/migrations.ts as one entry; never edited once shipped.

/** device_sessions gains the device's name (given at login), its platform (given at auth) and when it was last seen. */
export const DEVICES_SCHEMA_SQL = `
  ALTER TABLE device_sessions ADD COLUMN device_name TEXT;
  ALTER TABLE device_sessions ADD COLUMN platform TEXT;
  ALTER TABLE device_sessions ADD COLUMN last_seen_at INTEGER;
`
