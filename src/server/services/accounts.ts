// Owns account rules: username and password validation, registration, credential checks, sign-in attempt limits,
// and what a deleted account leaves behind (its groups and rooms). Transport-free: HTTP maps outcomes to statuses.
import { createLogger } from '../../shared/logger'
import { hashPassword, verifyPassword } from '../auth/passwords'
import type { AttemptAction, AttemptLimiter } from '../auth/attempt-limits'
import type { IssuedToken, TokenService } from '../auth/tokens'
import type { ServerStore } from '../store/types'
import { MAX_DEVICE_ID_LENGTH, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../config'
import { canonicalUserId } from '../../shared/user-id'
import { MAX_USERNAME_CHARS } from '../../shared/limits'
import { contactsConfigFromEnv } from './contacts/config'
import type { GroupsService } from './groups'
import type { RoomService } from './rooms/service'

const log = createLogger('server:accounts')

export type AccountFailureCode =
  | 'INVALID_USERNAME'
  | 'INVALID_PASSWORD'
  | 'INVALID_DEVICE_ID'
  | 'USER_EXISTS'
  | 'INVALID_CREDENTIALS'
  | 'RATE_LIMITED'
  | 'ACCOUNT_DELETED'
  | 'ACCOUNT_BANNED'
export type AccountFailure = { ok: false; code: AccountFailureCode; message: string; retryAfterMs?: number }
export type AccountResult<T> = { ok: true; value: T } | AccountFailure

export interface LoginResult extends IssuedToken {
  user: string
}

/** Who is asking: the remote address, for the per-address attempt limit. */
export interface Caller {
  address: string
}

export interface AccountService {
  register(userAccount: unknown, userPassword: unknown, caller: Caller): Promise<AccountResult<{ user: string }>>
  /** `deviceId` (optional) binds the new session to that device at once. */
  /** `deviceName`: what the device list shows for this device (optional, services/devices). */
  login(userAccount: unknown, userPassword: unknown, deviceId: unknown, caller: Caller, deviceName?: unknown): Promise<AccountResult<LoginResult>>
}

/** Why a new password is not acceptable (a sentence), or null. */
export function passwordProblem(raw: unknown): string | null {
  if (typeof raw !== 'string') return 'A password is required.'
  if (raw.length < MIN_PASSWORD_LENGTH) return `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`
  if (raw.length > MAX_PASSWORD_LENGTH) return `The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`
  return null
}

const BAD_CREDENTIALS = 'The username or password is incorrect.'
const USERNAME_RULE = `The username must be 1 to ${MAX_USERNAME_CHARS} characters: ASCII letters (a-z, A-Z), digits, "_", "." or "-".`

function rateLimited(action: AttemptAction, retryAfterMs: number): AccountFailure {
  const seconds = Math.ceil(retryAfterMs / 1000)
  const what = action === 'login' ? 'sign-in' : 'registration'
  return {
    ok: false,
    code: 'RATE_LIMITED',
    message: `Too many ${what} attempts. Please wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`,
    retryAfterMs
  }
}

/** `deletedNameReserveMs`: how long a deleted account's name stays unavailable (PARLEY_DELETED_NAME_RESERVE_DAYS). */
export function createAccountService(
  store: ServerStore,
  tokens: TokenService,
  attempts: AttemptLimiter,
  deletedNameReserveMs = contactsConfigFromEnv().deletedNameReserveMs,
  /** After a sign-in issued its token (services/devices: the device's name and the device limit). */
  signedIn?: (user: string, sessionId: string, deviceName: string | null) => Promise<void>
): AccountService {
  // Verifying against a throwaway hash when the user does not exist keeps the response time the same,
  // so login timing does not reveal which usernames exist.
  const decoyHash = hashPassword('decoy-password-for-timing')

  return {
    async register(userAccount, userPassword, caller) {
      const user = canonicalUserId(userAccount)
      const verdict = await attempts.admit('register', user, caller.address)
      if (!verdict.allowed) return rateLimited('register', verdict.retryAfterMs)
      if (!user) return { ok: false, code: 'INVALID_USERNAME', message: USERNAME_RULE }
      const problem = passwordProblem(userPassword)
      if (problem) return { ok: false, code: 'INVALID_PASSWORD', message: problem }
      const hash = await hashPassword(userPassword as string)
      const now = Date.now()
      const outcome = await store.createUser(user, hash, now)
      if (outcome === 'exists') {
        // A deleted account's name is free again once its reserve has passed.
        const reclaim = await store.accountReclaimName(user, hash, now, deletedNameReserveMs)
        if (reclaim.outcome === 'reserved') {
          const date = new Date(reclaim.until).toISOString().slice(0, 10)
          return {
            ok: false,
            code: 'USER_EXISTS',
            message: `The username "${user}" belonged to a deleted account and can be registered again from ${date}.`
          }
        }
        if (reclaim.outcome === 'taken') {
          return { ok: false, code: 'USER_EXISTS', message: `The username "${user}" is already taken.` }
        }
      }
      await attempts.succeeded('register', user, verdict)
      return { ok: true, value: { user } }
    },

    async login(userAccount, userPassword, deviceId, caller, deviceName) {
      if (deviceId !== undefined && deviceId !== null && (typeof deviceId !== 'string' || deviceId.length > MAX_DEVICE_ID_LENGTH)) {
        return {
          ok: false,
          code: 'INVALID_DEVICE_ID',
          message: `The device id must be a string of at most ${MAX_DEVICE_ID_LENGTH} characters.`
        }
      }
      const user = canonicalUserId(userAccount)
      const verdict = await attempts.admit('login', user, caller.address)
      if (!verdict.allowed) return rateLimited('login', verdict.retryAfterMs)
      if (!user || typeof userPassword !== 'string' || userPassword.length > MAX_PASSWORD_LENGTH) {
        return { ok: false, code: 'INVALID_CREDENTIALS', message: BAD_CREDENTIALS }
      }
      const stored = await store.getUser(user)
      const matches = await verifyPassword(userPassword, stored ? stored.passwordHash : await decoyHash)
      if (!stored || !matches) return { ok: false, code: 'INVALID_CREDENTIALS', message: BAD_CREDENTIALS }
      if ((await store.accountDeletedAt(user)) !== null) {
        return { ok: false, code: 'ACCOUNT_DELETED', message: `The account "${user}" was deleted; it cannot sign in any more.` }
      }
      // Banned by the server's operator (platform API): told only after the password matched, like a deletion.
      if ((await store.accountBannedAt(user)) !== null) {
        return { ok: false, code: 'ACCOUNT_BANNED', message: `The account "${user}" is banned on this server; it cannot sign in.` }
      }
      await attempts.succeeded('login', user, verdict)
      const { sessionId, ...issued } = await tokens.issue(user, typeof deviceId === 'string' && deviceId ? deviceId : null)
      await signedIn?.(user, sessionId, typeof deviceName === 'string' ? deviceName : null)
      return { ok: true, value: { user, ...issued } }
    }
  }
}

/**
 * A deleted account leaving its groups and rooms. The deletion itself (store.accountDelete) marks the account deleted
 * first, in its own transaction; the leaving comes after it, one transaction per group, so a server killed half-way
 * keeps a deleted account still in some groups. `sweep` (run at every start, before the server listens) finds
 * such accounts in the store and finishes them; every step is idempotent, so finishing twice changes nothing.
 */
export interface AccountDeparture {
  /** After the account was marked deleted: leave every group and room (the members are told). Never throws. */
  leaveEverything(user: string): Promise<void>
  /** Finishes the leaving of every deleted account still found in a group or room; returns how many there were. */
  sweep(): Promise<number>
}

export function createAccountDeparture(
  store: ServerStore,
  groups: Pick<GroupsService, 'removeDeletedAccount' | 'deletedAccountsPending'>,
  rooms: Pick<RoomService, 'removeDeletedAccount'>
): AccountDeparture {
  const leave = async (user: string): Promise<void> => {
    if ((await store.accountDeletedAt(user)) === null) {
      log.warn('not leaving the groups of an account that is not deleted', { user })
      return
    }
    const groupsChanged = await groups.removeDeletedAccount(user)
    const roomsDone = await rooms.removeDeletedAccount(user)
    log.info('deleted account left its groups and rooms', { user, groups: groupsChanged, ...roomsDone })
  }

  return {
    async leaveEverything(user) {
      try {
        await leave(user)
      } catch (err) {
        // The account is deleted whatever happens here: what is left undone, the next start's sweep finishes.
        log.error('a deleted account could not leave all its groups and rooms', { user, error: err instanceof Error ? err.message : String(err) })
      }
    },

    async sweep() {
      const pending = new Set([...(await groups.deletedAccountsPending()), ...(await store.roomsDeletedAccountsPending())])
      for (const user of pending) await leave(user)
      if (pending.size > 0) log.info('finished the leaving of deleted accounts', { accounts: pending.size })
      return pending.size
    }
  }
}
