// Owns one session's contacts, profiles and presence over the connection: the contacts operations (their entries
// reach the store through sync), the full list for a new device, the profile cache, friends' live presence, and
// my own account (profile edit, change password, delete account). Created per signed-in session by ChatClient.
import { AppError } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import {
  CONTACT_LIMITS,
  type ContactsState,
  type ProfilePatch,
  type UserPresence,
  type UserProfile,
  type UserSearchResult
} from '../../../shared/model/contacts'
import { ErrorCode } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley'
import { TypedEmitter } from '../../../shared/typed-emitter'
import { canonicalUserId } from '../../../shared/user-id'
import type { Connection, PushFrame } from '../net/connection'
import { ProtocolError } from '../protocol/errors'
import type { AppliedUserEvent } from '../store/domain-types'
import { profileFromWire, type ContactEventChange, type ContactsStoreApi, type ProfileEventChange } from '../store/contacts'
import type { Promised } from '../store/domain-apis'

const log = createLogger('core:contacts')

/** The server answers at most this many profiles / presences per request (services/contacts/config.ts). */
export const PROFILE_GET_MAX_USERS = 100
export const PRESENCE_GET_MAX_USERS = 200
/**
 * A full list is refused when this device applied log entries past the list's head while it was in flight (they
 * could be lost); it is asked again, a few times: each try only loses to a contacts change made in that instant.
 */
const LIST_LOAD_ATTEMPTS = 3

export interface ContactsClientEvents {
  /** The contacts changed (an operation here, on another device, or by the other person). */
  contactsChanged: ContactsState
  presenceChanged: UserPresence
  profileChanged: UserProfile
  /** Users whose single chat's title (remark or nickname) may have changed. */
  titlesChanged: string[]
}

export interface ContactsClientOptions {
  me: string
  store: Promised<ContactsStoreApi>
  connection: Connection
  /** Brings the store up to the log (the acting device learns its own entries by syncing them). */
  catchUp: () => Promise<void>
}

/** What the session API uses (ChatClient.contacts). */
export interface ContactsApi {
  state(): Promise<ContactsState>
  search(name: string): Promise<UserSearchResult>
  sendRequest(user: string, message: string): Promise<ContactsState>
  decide(user: string, accept: boolean): Promise<ContactsState>
  cancelRequest(user: string): Promise<ContactsState>
  remove(user: string): Promise<ContactsState>
  setRemark(user: string, remark: string): Promise<ContactsState>
  setBlocked(user: string, blocked: boolean): Promise<ContactsState>
  /** `fresh`: ask the server even for cached ones (when online). */
  profiles(users: readonly string[], fresh?: boolean): Promise<UserProfile[]>
  presence(): Promise<UserPresence[]>
  myProfile(): Promise<UserProfile>
  updateProfile(patch: ProfilePatch): Promise<UserProfile>
  changePassword(currentPassword: string, newPassword: string): Promise<void>
}

type ContactOp = 'request' | 'decide' | 'cancel' | 'remove' | 'remark' | 'block' | 'unblock'

function charCount(text: string): number {
  return [...text].length
}

function checkChars(text: string, max: number, what: string): string {
  if (charCount(text) > max) throw new AppError('TEXT_TOO_LONG', `The ${what} can be at most ${max} characters.`, { params: { limit: max } })
  return text
}

function emptyProfile(user: string): UserProfile {
  return { user, nickname: '', signature: '', statusText: '', attributes: {}, deleted: false, exists: true, updatedAt: 0 }
}

function presenceFromWire(wire: parley.v1.IPresence | null | undefined): UserPresence | null {
  const user = canonicalUserId(wire?.user)
  if (!wire || !user) return null
  return { user, online: wire.online === true, statusText: wire.statusText ?? '', lastSeen: Number(wire.lastSeen ?? 0) }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export class ContactsClient extends TypedEmitter<ContactsClientEvents> implements ContactsApi {
  private readonly presenceByUser = new Map<string, UserPresence>()
  private readonly unsubscribe: Array<() => void> = []
  private closed = false
  /** One start (list, profiles, presence) at a time; a second request runs once after it. */
  private starting: Promise<void> | null = null
  private startAgain = false

  constructor(private readonly options: ContactsClientOptions) {
    super()
    this.unsubscribe.push(options.connection.on('push', (push) => this.onPush(push)))
  }

  close(): void {
    this.closed = true
    for (const off of this.unsubscribe) off()
  }

  /**
   * After each connect's catch-up: the full list when this device has none (new device, or the log restarted from
   * the conversation list), then the profiles of everyone in the contacts and the friends' presence.
   */
  start(): Promise<void> {
    if (this.starting) {
      this.startAgain = true
      return this.starting
    }
    this.starting = (async () => {
      try {
        do {
          this.startAgain = false
          await this.loadListIfNeeded()
          await this.refreshProfiles([this.options.me, ...(await this.options.store.knownUsers())])
          await this.refreshPresence()
        } while (this.startAgain && !this.closed)
      } catch (err) {
        log.info('could not refresh contacts yet', { error: String(err) })
      } finally {
        this.starting = null
      }
    })()
    return this.starting
  }

  /** The log was restarted from the conversation list (expired cursor): the contacts come from a full list again. */
  onBootstrapped(): void {
    void this.options.store
      .forgetList()
      .catch((err: unknown) => log.warn('could not mark the contacts list for reloading', { error: String(err) }))
      .then(() => {
        if (this.options.connection.isOnline) void this.start()
      })
  }

  /** Contact and profile events the store applied (sync or a push of another device's or the peer's change). */
  onUserEvents(events: readonly AppliedUserEvent[]): void {
    const peers = new Set<string>()
    /** People who left my contacts: their profile is read again (a deleted account says so). */
    const gone = new Set<string>()
    const titles = new Set<string>()
    let contactsChanged = false
    for (const event of events) {
      const change = event.change as ContactEventChange | ProfileEventChange | undefined
      if (change?.domain === 'contacts') {
        contactsChanged = true
        peers.add(change.peer)
        if (change.kind === 'remarkChanged' || change.kind === 'friendAdded' || change.kind === 'friendRemoved') titles.add(change.peer)
        if (change.kind === 'friendRemoved' || change.kind === 'requestCancelled') gone.add(change.peer)
      } else if (change?.domain === 'profile') {
        this.emit('profileChanged', change.profile)
        titles.add(change.profile.user)
      }
    }
    if (contactsChanged) {
      this.emitState()
      // New people in the list get their profile (a request's sender), new friends their presence.
      const cachedPeers = this.options.store.profiles([...peers]).then((cached) => new Set(cached.map((p) => p.user)))
      void cachedPeers
        .then((cached) => this.refreshProfiles([...peers].filter((peer) => gone.has(peer) || !cached.has(peer))))
        .catch((err: unknown) => log.debug('profile fetch failed', { error: String(err) }))
      void this.refreshPresence().catch((err: unknown) => log.debug('presence fetch failed', { error: String(err) }))
    }
    if (titles.size > 0) this.emit('titlesChanged', [...titles])
  }

  async state(): Promise<ContactsState> {
    return this.options.store.state()
  }

  /** A user by id: their profile and how I stand with them. USER_NOT_FOUND for an unknown or deleted account. */
  async search(name: string): Promise<UserSearchResult> {
    const user = this.peerOf(name)
    const [profile] = await this.fetchProfiles([user])
    if (!profile || !profile.exists || profile.deleted) {
      throw new AppError('USER_NOT_FOUND', `There is no user named ${user}.`, { params: { user } })
    }
    return { user, profile, relation: await this.options.store.relationOf(user, this.options.me) }
  }

  async sendRequest(user: string, message: string): Promise<ContactsState> {
    const peer = this.peerOf(user)
    if (peer === this.options.me) throw new AppError('BAD_ARGUMENT', 'You cannot send a friend request to yourself.')
    checkChars(message, CONTACT_LIMITS.requestMessageChars, 'message of a friend request')
    return this.change('request', peer, { request: { to: peer, message } })
  }

  async decide(user: string, accept: boolean): Promise<ContactsState> {
    const peer = this.peerOf(user)
    return this.change('decide', peer, { decide: { from: peer, accept } })
  }

  async cancelRequest(user: string): Promise<ContactsState> {
    const peer = this.peerOf(user)
    return this.change('cancel', peer, { cancelRequest: { peer } })
  }

  async remove(user: string): Promise<ContactsState> {
    const peer = this.peerOf(user)
    return this.change('remove', peer, { remove: { peer } })
  }

  async setRemark(user: string, remark: string): Promise<ContactsState> {
    const peer = this.peerOf(user)
    const trimmed = checkChars(remark.trim(), CONTACT_LIMITS.remarkChars, 'remark')
    return this.change('remark', peer, { remark: { peer, remark: trimmed } })
  }

  async setBlocked(user: string, blocked: boolean): Promise<ContactsState> {
    const peer = this.peerOf(user)
    if (peer === this.options.me) throw new AppError('BAD_ARGUMENT', 'You cannot block yourself.')
    return this.change(blocked ? 'block' : 'unblock', peer, { block: { peer, blocked } })
  }

  /**
   * Cached profiles; those not cached yet are fetched (when online), and with `fresh` all of them (a non-contact's
   * profile gets no pushes: the renderer asks again after a while). Offline or on failure: what is cached.
   */
  async profiles(users: readonly string[], fresh = false): Promise<UserProfile[]> {
    const ids = [...new Set(users.map((u) => canonicalUserId(u)).filter((u): u is string => u !== null))]
    const cached = await this.options.store.profiles(ids)
    const missing = fresh ? ids : ids.filter((id) => !cached.some((p) => p.user === id))
    if (missing.length > 0 && this.options.connection.isOnline) {
      try {
        await this.fetchProfiles(missing)
        return await this.options.store.profiles(ids)
      } catch (err) {
        log.debug('could not fetch profiles', { error: String(err) })
      }
    }
    return cached
  }

  /** The friends' presence as last heard (offline for a friend not heard of yet). */
  async presence(): Promise<UserPresence[]> {
    return (await this.options.store.state()).friends.map(
      (friend) => this.presenceByUser.get(friend.user) ?? { user: friend.user, online: false, statusText: '', lastSeen: 0 }
    )
  }

  async myProfile(): Promise<UserProfile> {
    const [cached] = await this.options.store.profiles([this.options.me])
    if (cached) return cached
    if (this.options.connection.isOnline) {
      const [fetched] = await this.fetchProfiles([this.options.me])
      if (fetched) return fetched
    }
    return emptyProfile(this.options.me)
  }

  async updateProfile(patch: ProfilePatch): Promise<UserProfile> {
    const update: parley.v1.IProfileUpdate = {}
    if (patch.nickname !== undefined) update.nickname = checkChars(patch.nickname.trim(), CONTACT_LIMITS.nicknameChars, 'nickname')
    if (patch.signature !== undefined) update.signature = checkChars(patch.signature.trim(), CONTACT_LIMITS.signatureChars, 'signature')
    if (patch.statusText !== undefined) update.statusText = checkChars(patch.statusText.trim(), CONTACT_LIMITS.statusTextChars, 'status')
    if (patch.attributes !== undefined) {
      const bytes = Object.entries(patch.attributes).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0)
      if (bytes > CONTACT_LIMITS.attributesBytes) {
        throw new AppError('LIMIT_EXCEEDED', `Custom attributes can hold at most ${CONTACT_LIMITS.attributesBytes} bytes in total (these hold ${bytes}).`)
      }
      update.attributes = patch.attributes
      update.setAttributes = true
    }
    await this.profileRequest({ update }).catch((err: unknown) => {
      throw this.profileError(err)
    })
    // The change is an entry of my log (the other devices get it pushed); fetch it here as well.
    await this.fetchProfiles([this.options.me])
    await this.syncOwnEntries()
    return this.myProfile()
  }

  /** The other devices are signed out by the server; this one stays signed in. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    if (!newPassword) throw new AppError('INVALID_PASSWORD', 'Choose a new password.')
    await this.profileRequest({ changePassword: { currentPassword, newPassword } }).catch((err: unknown) => {
      throw this.profileError(err, 'The current password is incorrect.')
    })
  }

  /** Deletes the account on the server (ChatClient then ends the session). */
  async deleteAccount(password: string): Promise<void> {
    await this.profileRequest({ deleteAccount: { password } }).catch((err: unknown) => {
      throw this.profileError(err, 'The password is incorrect, so the account was not deleted.')
    })
  }

  // ---- internals ---------------------------------------------------------------------------------------------

  private peerOf(name: string): string {
    const user = canonicalUserId(name)
    if (!user) throw new AppError('INVALID_USERNAME', `"${String(name).trim().slice(0, 64)}" is not a valid username.`)
    return user
  }

  private ensureOnline(): Connection {
    const connection = this.options.connection
    if (!connection.isOnline) throw new AppError('DISCONNECTED', 'You are offline. Try again once Parley is connected.')
    return connection
  }

  private async contactsRequest(request: parley.v1.IContactsRequest): Promise<parley.v1.IContactsResponse> {
    return this.ensureOnline().request({ contacts: request }, 'contactsOk')
  }

  private async profileRequest(request: parley.v1.IProfileRequest): Promise<parley.v1.IProfileResponse> {
    return this.ensureOnline().request({ profile: request }, 'profileOk')
  }

  /** One contacts operation; resolves once this device's store has its entries (so the answer shows the change). */
  private async change(op: ContactOp, peer: string, request: parley.v1.IContactsRequest): Promise<ContactsState> {
    try {
      await this.contactsRequest(request)
    } catch (err) {
      throw await this.contactsError(op, peer, err)
    }
    await this.syncOwnEntries()
    return this.options.store.state()
  }

  private async syncOwnEntries(): Promise<void> {
    try {
      await this.options.catchUp()
    } catch (err) {
      // Done on the server; the entries come with the next catch-up.
      log.info('the change is made; its log entries will sync later', { error: String(err) })
    }
  }

  /** A refused contacts operation as a sentence naming the person. */
  private async contactsError(op: ContactOp, peer: string, err: unknown): Promise<AppError> {
    if (!(err instanceof ProtocolError)) return AppError.from(err)
    const relation = await this.options.store.relationOf(peer, this.options.me).catch(() => null)
    const params = { user: peer }
    switch (err.wireCode) {
      case ErrorCode.ERROR_USER_NOT_FOUND:
        return new AppError('USER_NOT_FOUND', `There is no user named ${peer}.`, { params })
      case ErrorCode.ERROR_BLOCKED:
        return new AppError(
          'BLOCKED',
          relation === 'blocked'
            ? `You have blocked ${peer}. Unblock them first.`
            : `You cannot send ${peer} a friend request: one of you has blocked the other.`,
          { params: { ...params, reason: relation === 'blocked' ? 'contactBlockedByMe' : 'contactBlocked' } }
        )
      case ErrorCode.ERROR_CONFLICT:
        return new AppError(
          'CONFLICT',
          relation === 'friend'
            ? `You are already friends with ${peer}.`
            : relation === 'outgoing'
              ? `You have already sent ${peer} a friend request.`
              : `You and ${peer} are already friends or a request between you is pending.`,
          { params: { ...params, reason: relation === 'friend' ? 'contactFriends' : relation === 'outgoing' ? 'contactRequested' : 'contactPending' } }
        )
      case ErrorCode.ERROR_NOT_FOUND:
        return new AppError(
          'NOT_FOUND',
          op === 'cancel' ? `You have no pending friend request to ${peer}.` : `There is no pending friend request from ${peer}.`,
          { params: { ...params, reason: op === 'cancel' ? 'contactNoRequestTo' : 'contactNoRequestFrom' } }
        )
      case ErrorCode.ERROR_NOT_FRIENDS:
        return new AppError('NOT_FRIENDS', `${peer} is not in your contacts.`, { params })
      case ErrorCode.ERROR_BAD_REQUEST:
        return op === 'request' && peer === this.options.me
          ? new AppError('BAD_ARGUMENT', 'You cannot send a friend request to yourself.')
          : err
      default:
        return err
    }
  }

  private profileError(err: unknown, wrongPassword = 'The password is incorrect.'): AppError {
    if (err instanceof ProtocolError && err.wireCode === ErrorCode.ERROR_FORBIDDEN) return new AppError('FORBIDDEN', wrongPassword)
    if (err instanceof ProtocolError && err.wireCode === ErrorCode.ERROR_RATE_LIMITED) {
      const seconds = err.retryAfterMs ? Math.ceil(err.retryAfterMs / 1000) : null
      return new AppError(
        'RATE_LIMITED',
        seconds ? `Too many password attempts. Please wait ${seconds} seconds and try again.` : 'Too many password attempts. Please wait and try again.',
        seconds ? { params: { retryAfterSec: seconds } } : undefined
      )
    }
    return AppError.from(err)
  }

  private async loadListIfNeeded(): Promise<void> {
    if ((await this.options.store.listSeq()) !== null) return
    for (let attempt = 1; attempt <= LIST_LOAD_ATTEMPTS; attempt++) {
      const answer = await this.contactsRequest({ list: {} })
      const list = answer.list
      if (!list) throw new AppError('SERVER_ERROR', 'The server sent no contacts list.')
      const state: ContactsState = {
        friends: (list.friends ?? []).map((f) => ({ user: f.user ?? '', remark: f.remark ?? '', since: Number(f.since ?? 0) })),
        incoming: (list.incoming ?? []).map((r) => ({ peer: r.from ?? '', message: r.message ?? '', at: Number(r.at ?? 0) })),
        outgoing: (list.outgoing ?? []).map((r) => ({ peer: r.to ?? '', message: r.message ?? '', at: Number(r.at ?? 0) })),
        blocked: list.blocked ?? []
      }
      const outcome = await this.options.store.replaceList(state, Number(list.headSeq ?? 0))
      if (outcome === 'applied') {
        log.info('loaded the contacts list', { friends: state.friends.length, headSeq: Number(list.headSeq ?? 0) })
        this.emitState()
        this.emit('titlesChanged', state.friends.map((f) => canonicalUserId(f.user) ?? f.user))
        return
      }
      log.debug('the contacts list was older than this device; asking again', { attempt })
    }
    log.warn('could not load a contacts list current with this device; will try at the next connect')
  }

  private async fetchProfiles(users: readonly string[]): Promise<UserProfile[]> {
    const fetched: UserProfile[] = []
    for (const part of chunks(users, PROFILE_GET_MAX_USERS)) {
      const answer = await this.profileRequest({ get: { users: part } })
      for (const wire of answer.profiles?.profiles ?? []) {
        const profile = profileFromWire(wire)
        if (profile) fetched.push(profile)
      }
    }
    await this.storeProfiles(fetched)
    return fetched
  }

  private async refreshProfiles(users: readonly string[]): Promise<void> {
    const ids = [...new Set(users)]
    if (ids.length === 0 || this.closed || !this.options.connection.isOnline) return
    await this.fetchProfiles(ids)
  }

  private async storeProfiles(profiles: readonly UserProfile[]): Promise<void> {
    if (profiles.length === 0 || this.closed) return
    const changed = await this.options.store.putProfiles(profiles)
    for (const profile of changed) this.emit('profileChanged', profile)
    if (changed.length > 0) this.emit('titlesChanged', changed.map((p) => p.user))
  }

  private async refreshPresence(): Promise<void> {
    if (this.closed || !this.options.connection.isOnline) return
    const friends = (await this.options.store.state()).friends.map((f) => f.user)
    for (const part of chunks(friends, PRESENCE_GET_MAX_USERS)) {
      const answer = await this.profileRequest({ presence: { users: part } })
      for (const wire of answer.presence?.presence ?? []) this.notePresence(presenceFromWire(wire))
    }
  }

  private notePresence(presence: UserPresence | null): void {
    if (!presence || this.closed) return
    const before = this.presenceByUser.get(presence.user)
    this.presenceByUser.set(presence.user, presence)
    if (!before || JSON.stringify(before) !== JSON.stringify(presence)) this.emit('presenceChanged', presence)
  }

  private onPush({ frame }: PushFrame): void {
    if (frame.body !== 'contactUpdate' || !frame.contactUpdate) return
    const update = frame.contactUpdate
    try {
      if (update.presence) this.notePresence(presenceFromWire(update.presence))
      const profile = profileFromWire(update.profile)
      if (profile) void this.storeProfiles([profile]).catch((err: unknown) => log.warn('could not apply a contact update', { error: String(err) }))
    } catch (err) {
      log.warn('could not apply a contact update', { error: String(err) })
    }
  }

  private emitState(): void {
    if (this.closed) return
    void this.options.store.state().then(
      (state) => {
        if (!this.closed) this.emit('contactsChanged', state)
      },
      (err: unknown) => log.warn('could not read the contacts', { error: String(err) })
    )
  }
}
