// Owns the SQLite side of the device list: the columns the devices migration added to device_sessions, the live
// sessions of an account, and revoking the least recently seen ones past the device limit in one transaction.
import type { DomainContext } from '../domain-context'
import type { Synchronous } from '../records'
import type { DeviceRow, DevicesStore } from './types'

interface DeviceColumns {
  session_id: string
  device_id: string | null
  device_name: string | null
  platform: string | null
  created_at: number
  last_seen_at: number | null
}

function toDevice(row: DeviceColumns): DeviceRow {
  return {
    sessionId: row.session_id,
    deviceId: row.device_id,
    name: row.device_name ?? '',
    platform: row.platform ?? '',
    signedInAt: row.created_at,
    lastSeenAt: row.last_seen_at ?? 0
  }
}

export function openDevicesSqlite(context: DomainContext): Synchronous<DevicesStore> {
  const { db } = context
  // Live = not revoked and holding a token that is current (not rotated away) and not expired.
  const selectLive = db.prepare<[string, number], DeviceColumns>(
    `SELECT s.session_id, s.device_id, s.device_name, s.platform, s.created_at, s.last_seen_at FROM device_sessions s
     WHERE s.user = ? AND s.revoked_at IS NULL
       AND EXISTS (SELECT 1 FROM tokens t WHERE t.session_id = s.session_id AND t.rotated_at IS NULL AND t.expires_at > ?)
     ORDER BY s.created_at, s.session_id`
  )
  const updateName = db.prepare<[string, string]>('UPDATE device_sessions SET device_name = ? WHERE session_id = ?')
  const updateSeen = db.prepare<[number, string | null, string]>(
    'UPDATE device_sessions SET last_seen_at = ?, platform = COALESCE(?, platform) WHERE session_id = ?'
  )
  const revoke = db.prepare<[number, string]>('UPDATE device_sessions SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL')

  return {
    devicesOf(user, now) {
      return selectLive.all(user, now).map(toDevice)
    },
    deviceSetName(sessionId, name) {
      updateName.run(name, sessionId)
    },
    deviceSeen(sessionId, platform, at) {
      updateSeen.run(at, platform, sessionId)
    },
    devicesEnforceLimit(user, keep, limit, now, online) {
      return context.inTransaction(() => {
        const live = selectLive.all(user, now).map(toDevice)
        const seen = (device: DeviceRow): number => (online.includes(device.sessionId) ? now : device.lastSeenAt || device.signedInAt)
        const others = live
          .filter((device) => device.sessionId !== keep)
          .sort((a, b) => seen(a) - seen(b) || a.signedInAt - b.signedInAt)
        const revoked: string[] = []
        for (let excess = live.length - limit; excess > 0 && others.length > 0; excess--) {
          const oldest = others.shift()!
          revoke.run(now, oldest.sessionId)
          revoked.push(oldest.sessionId)
        }
        return revoked
      })
    }
  }
}
