// Owns the account's devices: the device list, signing out another device (told why, its token revoked), the
// device limit at sign-in (PARLEY_DEVICE_LIMIT; the least recently seen device goes) and each device's last seen.
import { ErrorCode, encodeFrame, pb } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { createLogger } from '../../../shared/logger'
import type { ServerStore } from '../../store/types'
import type { ConnectionRef } from '../fanout'

const log = createLogger('server:devices')

/** PARLEY_DEVICE_LIMIT default: signed-in devices per account (the default of 4). */
export const DEFAULT_DEVICE_LIMIT = 4
/** A device name given at login, in characters: "Parley on Alice's MacBook Pro" fits. */
export const DEVICE_NAME_MAX_CHARS = 64

export const SIGNED_OUT_BY_OTHER_DEVICE = 'This device was signed out from another device of your account.'
export const SIGNED_OUT_BY_DEVICE_LIMIT = 'This device was signed out because your account signed in on more devices than allowed.'

export function deviceLimitFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PARLEY_DEVICE_LIMIT?.trim()
  if (!raw) return DEFAULT_DEVICE_LIMIT
  const limit = Number(raw)
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`PARLEY_DEVICE_LIMIT must be a whole number of devices, 1 or more (got "${raw}").`)
  return limit
}

/** What the devices service needs of the gateway's registry. */
export interface DeviceSockets {
  /** Ends the live connections of these sessions, telling them `message` with `code`. */
  endSessions(user: string, sessionIds: readonly string[], message: string, except?: ConnectionRef, code?: ErrorCode): void
  /** Device sessions of the user connected now (to any node in a cluster). */
  onlineSessionIds(user: string): Promise<Set<string>>
  deliver(user: string, frame: () => Uint8Array, except?: ConnectionRef): void
}

export interface DevicesService {
  readonly limit: number
  /** After a sign-in: records the name, then signs out the least recently seen devices beyond the limit. */
  signedIn(user: string, sessionId: string, deviceName: string | null): Promise<void>
  /** A device connected (auth) or went away. */
  seen(sessionId: string, platform: string | null): void
  handle(user: string, currentSession: string, request: parley.v1.DevicesRequest.$Properties, origin: ConnectionRef): Promise<
    { ok: true; value: parley.v1.DevicesResponse.$Properties } | { ok: false; code: ErrorCode; message: string }
  >
}

export function createDevicesService(store: ServerStore, sockets: DeviceSockets, limit = deviceLimitFromEnv()): DevicesService {
  /** Tells the account's other devices that the list changed (a user-log entry, so an offline one learns it too). */
  const announce = async (user: string, sessionId: string, signedOut: boolean, origin?: ConnectionRef): Promise<void> => {
    const payload = pb.DevicesChanged.encode({ sessionId, signedOut }).finish()
    const seq = await store.appendUserEvent(user, { kind: 'devicesChanged', conversation: '', chatType: 0, payload }, Date.now())
    sockets.deliver(user, () => encodeFrame({ id: 0, event: { seq, devicesChanged: { sessionId, signedOut } } }), origin)
  }

  const list = async (user: string, currentSession: string): Promise<parley.v1.DevicesResponse.$Properties> => {
    const online = await sockets.onlineSessionIds(user)
    const devices = await store.devicesOf(user, Date.now())
    return {
      limit,
      devices: devices.map((device) => ({
        sessionId: device.sessionId,
        deviceId: device.deviceId ?? '',
        name: device.name,
        platform: device.platform,
        signedInAt: device.signedInAt,
        lastSeenAt: online.has(device.sessionId) ? Date.now() : device.lastSeenAt,
        current: device.sessionId === currentSession,
        online: online.has(device.sessionId)
      }))
    }
  }

  return {
    limit,

    async signedIn(user, sessionId, deviceName) {
      const name = (deviceName ?? '').trim().slice(0, DEVICE_NAME_MAX_CHARS)
      if (name) await store.deviceSetName(sessionId, name)
      const revoked = await store.devicesEnforceLimit(user, sessionId, limit, Date.now(), [...(await sockets.onlineSessionIds(user))])
      if (revoked.length > 0) {
        log.info('device limit reached: signed out the least recently seen devices', { user, revoked: revoked.length, limit })
        sockets.endSessions(user, revoked, SIGNED_OUT_BY_DEVICE_LIMIT, undefined, ErrorCode.ERROR_DEVICE_LIMIT)
        for (const id of revoked) await announce(user, id, true)
      }
      // A sign-in appends nothing to the log (a log entry per sign-in would fill every account's log with device
      // traffic): the other devices read the list when it is shown.
    },

    seen(sessionId, platform) {
      store.deviceSeen(sessionId, platform, Date.now()).catch((err: unknown) => {
        log.warn('could not record when a device was last seen', { error: err instanceof Error ? err.message : String(err) })
      })
    },

    async handle(user, currentSession, request, origin) {
      const target = request.signOutSession ?? ''
      if (target) {
        if (target === currentSession) {
          return { ok: false, code: ErrorCode.ERROR_BAD_REQUEST, message: 'Sign this device out with sign-out, not from the device list.' }
        }
        const mine = (await store.devicesOf(user, Date.now())).some((device) => device.sessionId === target)
        if (!mine) return { ok: false, code: ErrorCode.ERROR_NOT_FOUND, message: 'That device is not signed in to your account.' }
        await store.revokeSession(target, Date.now())
        sockets.endSessions(user, [target], SIGNED_OUT_BY_OTHER_DEVICE, origin, ErrorCode.ERROR_DEVICE_SIGNED_OUT)
        await announce(user, target, true, origin)
      }
      return { ok: true, value: await list(user, currentSession) }
    }
  }
}
