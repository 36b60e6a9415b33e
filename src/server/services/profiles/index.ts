// Owns profiles, presence and account changes on the wire: ProfileGet / ProfileUpdate (ProfileChanged to the user's
// other devices, ContactUpdate to friends), PresenceGet and presence pushes on online/offline transitions, change
// password (ends the other sessions) and delete account.
import { ErrorCode, encodeFrame } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { createLogger } from '../../../shared/logger'
import { canonicalUserId } from '../../../shared/user-id'
import { requiredDelayMs } from '../../auth/attempt-limits'
import { hashPassword, verifyPassword } from '../../auth/passwords'
import type { AttemptPolicy } from '../../options'
import { profileToProps } from '../../store/profiles/sqlite'
import type { ProfilePatch, ProfileRow } from '../../store/profiles/types'
import type { ServerStore } from '../../store/types'
import { passwordProblem, type AccountDeparture } from '../accounts'
import type { ContactsService, Refusal } from '../contacts'
import { charCount } from '../contacts'
import {
  NICKNAME_MAX_CHARS,
  PRESENCE_GET_MAX_USERS,
  PROFILE_ATTRIBUTES_MAX_BYTES,
  PROFILE_GET_MAX_USERS,
  SIGNATURE_MAX_CHARS,
  STATUS_TEXT_MAX_CHARS
} from '../contacts/config'
import type { ConnectionRef, EventFanout, LiveConnections as AllLiveConnections, SessionEnder } from '../fanout'

const log = createLogger('server:profiles')

export type ProfileRequestProps = parley.v1.ProfileRequest.$Properties
export type ProfileResponseProps = parley.v1.ProfileResponse.$Properties
type PresenceProps = parley.v1.Presence.$Properties

/** `endConnection`: the answer is the connection's last frame (the account was deleted): close it after answering. */
export type ProfileOutcome = { ok: true; response: ProfileResponseProps; endConnection?: boolean } | Refusal

/** What the service needs from whoever holds the live connections (services/fanout.ts; every node's in a cluster). */
export type LiveConnections = EventFanout & SessionEnder & Pick<AllLiveConnections, 'onlineAmong'>

/** The connection a request came from: its device session is the one a password change keeps. */
export interface RequestOrigin {
  connection: ConnectionRef
  sessionId: string
}

export interface ProfilesService {
  handle(user: string, request: ProfileRequestProps, origin: RequestOrigin): Promise<ProfileOutcome>
  /** The registry's presence hook: `user`'s first device came online, or their last one went. */
  presenceChanged(user: string, online: boolean): void
  /**
   * The server is shutting down: the sockets about to close are not people leaving, so nobody is told (their last
   * seen is still written, in one transaction with every other).
   */
  stopPresence(): void
  /** Resolves once every presence change so far is recorded and pushed (tests, shutdown). */
  settled(): Promise<void>
}

const OTHER_DEVICES_SIGNED_OUT = 'The password of this account was changed on another device; sign in again.'
const ACCOUNT_DELETED = 'This account was deleted.'

function refuse(code: ErrorCode, message: string): Refusal {
  return { ok: false, code, message }
}

function parsePatch(update: NonNullable<ProfileRequestProps['update']>): ProfilePatch | Refusal {
  const patch: ProfilePatch = {}
  const text = (value: string | null | undefined, max: number, what: string): string | Refusal | undefined => {
    if (value === null || value === undefined) return undefined
    const trimmed = value.trim()
    return charCount(trimmed) > max ? refuse(ErrorCode.ERROR_TEXT_TOO_LONG, `The ${what} can be at most ${max} characters.`) : trimmed
  }
  const nickname = text(update.nickname, NICKNAME_MAX_CHARS, 'nickname')
  const signature = text(update.signature, SIGNATURE_MAX_CHARS, 'signature')
  const statusText = text(update.statusText, STATUS_TEXT_MAX_CHARS, 'status text')
  for (const value of [nickname, signature, statusText]) if (typeof value === 'object') return value
  if (typeof nickname === 'string') patch.nickname = nickname
  if (typeof signature === 'string') patch.signature = signature
  if (typeof statusText === 'string') patch.statusText = statusText
  if (update.setAttributes) {
    const attributes = update.attributes ?? {}
    let bytes = 0
    for (const [key, value] of Object.entries(attributes)) {
      if (key.length === 0) return refuse(ErrorCode.ERROR_BAD_REQUEST, 'A custom attribute needs a name.')
      bytes += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8')
    }
    if (bytes > PROFILE_ATTRIBUTES_MAX_BYTES) {
      return refuse(ErrorCode.ERROR_LIMIT_EXCEEDED, `Custom attributes can hold at most ${PROFILE_ATTRIBUTES_MAX_BYTES} bytes in total (these hold ${bytes}).`)
    }
    patch.attributes = { ...attributes }
  }
  return patch
}

/** The users of a get, canonical and de-duplicated, or a refusal beyond `max`. */
function userList(raw: readonly string[] | null | undefined, max: number, what: string): string[] | Refusal {
  const given = raw ?? []
  if (given.length > max) return refuse(ErrorCode.ERROR_LIMIT_EXCEEDED, `Ask for at most ${max} ${what} at a time.`)
  // A spelling that is no valid id keeps its raw form, so the answer still says "no such user" for it.
  return [...new Set(given.map((name) => canonicalUserId(name) ?? name))]
}

/**
 * `passwordAttempts`: the per-account sign-in policy, applied to the password checks made over the socket (change
 * password, delete account) too, so a stolen session cannot guess the password faster than a sign-in could.
 */
export function createProfilesService(
  store: ServerStore,
  live: LiveConnections,
  contacts: ContactsService,
  passwordAttempts: AttemptPolicy,
  departure?: Pick<AccountDeparture, 'leaveEverything'>
): ProfilesService {
  /** Presence work per user, chained so a quick offline/online flip reaches friends in the order it happened. */
  const presenceChains = new Map<string, Promise<void>>()
  let stopping = false
  /** Who went offline since the last write, and when: written together on the next turn (see recordLastSeen). */
  const lastSeenPending = new Map<string, number>()
  let lastSeenWrite: Promise<void> | null = null

  /**
   * Last-seen times of everyone whose last device went in one event-loop turn are written in ONE transaction: a
   * network blip that drops a thousand sockets costs one commit (one fsync) in the writer, not a thousand queued
   * between the message commits.
   */
  const recordLastSeen = (user: string, at: number): void => {
    lastSeenPending.set(user, at)
    lastSeenWrite ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const seen = [...lastSeenPending].map(([name, when]) => ({ user: name, at: when }))
      lastSeenPending.clear()
      lastSeenWrite = null
      await store.profileSetLastSeen(seen).catch((err: unknown) => {
        log.warn('last-seen times could not be written', { users: seen.length, error: err instanceof Error ? err.message : String(err) })
      })
    })
  }

  /** `online`: whether the profile's user has a device online (asked of `live` for all the rows at once). */
  const presenceOf = (profile: ProfileRow, online: boolean): PresenceProps => {
    return {
      user: profile.user,
      online,
      statusText: profile.deleted ? '' : profile.statusText,
      lastSeen: online ? 0 : profile.lastSeenAt
    }
  }

  const deliverToFriends = (friends: readonly string[], update: parley.v1.ContactUpdate.$Properties): void => {
    if (friends.length === 0) return
    const bytes = encodeFrame({ id: 0, contactUpdate: update })
    for (const friend of friends) live.deliver(friend, () => bytes)
  }

  const pushToFriends = async (user: string, update: parley.v1.ContactUpdate.$Properties): Promise<void> => {
    deliverToFriends(await store.contactsFriendsOf(user), update)
  }

  /** Tells the user's friends; `at` is when the transition happened (the last seen of an offline one). */
  const presenceWork = async (user: string, online: boolean, at: number): Promise<void> => {
    // Most connections belong to someone with no friend online to tell: one read, and nothing more.
    const friends = await store.contactsFriendsOf(user)
    if (friends.length === 0 || (await live.onlineAmong(friends)).size === 0) return
    const [profile] = await store.profilesGet([user])
    if (!profile?.exists || profile.deleted) return
    const presence: PresenceProps = { user, online, statusText: profile.statusText, lastSeen: online ? 0 : at }
    deliverToFriends(friends, { presence })
  }

  const update = async (user: string, patch: ProfilePatch, origin: RequestOrigin): Promise<ProfileOutcome> => {
    const [before] = await store.profilesGet([user])
    const result = await store.profileUpdate(user, patch, Date.now())
    if (result.seq > 0) {
      const profile = profileToProps(result.profile)
      live.deliver(user, () => encodeFrame({ id: 0, event: { seq: result.seq, profile: { profile } } }), origin.connection)
      await pushToFriends(user, { profile })
      if (before && before.statusText !== result.profile.statusText) {
        const online = (await live.onlineAmong([user])).has(user)
        await pushToFriends(user, { presence: presenceOf(result.profile, online) })
      }
    }
    return { ok: true, response: { done: { eventSeq: result.seq } } }
  }

  const checkPassword = async (user: string, password: string | null | undefined): Promise<Refusal | null> => {
    const key = `password:account:${user}`
    const now = Date.now()
    const { count, previousAt } = await store.countAttempt(key, now, passwordAttempts.windowMs)
    const waitMs = previousAt === null ? 0 : requiredDelayMs(passwordAttempts, count) - (now - previousAt)
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000)
      return refuse(ErrorCode.ERROR_RATE_LIMITED, `Too many password attempts. Please wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`)
    }
    const stored = await store.getUser(user)
    if (!stored || typeof password !== 'string' || !(await verifyPassword(password, stored.passwordHash))) {
      return refuse(ErrorCode.ERROR_FORBIDDEN, 'The password is incorrect.')
    }
    if (count > 1) await store.resetAttempts(key)
    return null
  }

  const changePassword = async (
    user: string,
    request: NonNullable<ProfileRequestProps['changePassword']>,
    origin: RequestOrigin
  ): Promise<ProfileOutcome> => {
    const wrong = await checkPassword(user, request.currentPassword)
    if (wrong) return wrong.code === ErrorCode.ERROR_FORBIDDEN ? refuse(wrong.code, 'The current password is incorrect.') : wrong
    const problem = passwordProblem(request.newPassword)
    if (problem) return refuse(ErrorCode.ERROR_BAD_REQUEST, problem)
    await store.accountSetPasswordHash(user, await hashPassword(request.newPassword as string))
    // The other devices sign in again with the new password; this one keeps its session.
    const ended = await store.revokeUserSessions(user, Date.now(), origin.sessionId)
    live.endSessions(user, ended, OTHER_DEVICES_SIGNED_OUT, origin.connection, undefined, 'password-changed')
    log.info('password changed', { user, sessionsEnded: ended.length })
    return { ok: true, response: { done: { eventSeq: 0 } } }
  }

  const deleteAccount = async (user: string, password: string | null | undefined, origin: RequestOrigin): Promise<ProfileOutcome> => {
    const wrong = await checkPassword(user, password)
    if (wrong) return wrong
    const deletion = await store.accountDelete(user, Date.now())
    contacts.forgetUser(user)
    contacts.publish(deletion.events)
    live.endSessions(user, 'all', ACCOUNT_DELETED, origin.connection, undefined, 'account-deleted')
    // Then it leaves its groups and rooms (the members are told), once its own sockets are ending.
    await departure?.leaveEverything(user)
    log.info('account deleted', { user, peersTold: deletion.events.length, sessionsEnded: deletion.revokedSessions.length })
    return { ok: true, response: { done: { eventSeq: 0 } }, endConnection: true }
  }

  return {
    async handle(user, request, origin) {
      if (request.get) {
        const users = userList(request.get.users, PROFILE_GET_MAX_USERS, 'profiles')
        if (!Array.isArray(users)) return users
        const rows = await store.profilesGet(users)
        return { ok: true, response: { profiles: { profiles: rows.map(profileToProps) } } }
      }
      if (request.presence) {
        const users = userList(request.presence.users, PRESENCE_GET_MAX_USERS, 'users')
        if (!Array.isArray(users)) return users
        const rows = await store.profilesGet(users)
        const online = await live.onlineAmong(rows.map((row) => row.user))
        return { ok: true, response: { presence: { presence: rows.map((row) => presenceOf(row, online.has(row.user))) } } }
      }
      if (request.update) {
        const patch = parsePatch(request.update)
        if ('ok' in patch) return patch
        return update(user, patch, origin)
      }
      if (request.changePassword) return changePassword(user, request.changePassword, origin)
      if (request.deleteAccount) return deleteAccount(user, request.deleteAccount.password, origin)
      return refuse(ErrorCode.ERROR_BAD_REQUEST, 'The profile request names no operation.')
    },

    presenceChanged(user, online) {
      const at = Date.now()
      if (!online) recordLastSeen(user, at)
      if (stopping) return
      const previous = presenceChains.get(user) ?? Promise.resolve()
      const next = previous
        .then(() => presenceWork(user, online, at))
        .catch((err: unknown) => {
          // A store closing at shutdown ends here too: presence is best effort, never a reason to fail a connection.
          log.warn('a presence change could not be recorded or pushed', { user, online, error: err instanceof Error ? err.message : String(err) })
        })
        .finally(() => {
          if (presenceChains.get(user) === next) presenceChains.delete(user)
        })
      presenceChains.set(user, next)
    },

    stopPresence() {
      stopping = true
    },

    async settled() {
      while (presenceChains.size > 0 || lastSeenWrite) {
        await Promise.all([...presenceChains.values(), lastSeenWrite])
      }
    }
  }
}
