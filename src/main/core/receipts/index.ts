// Owns one session's receipts and typing over the connection: delivered confirmations per stored batch, the peers'
// pointers, group read counts and readers, the privacy settings, and typing sent (throttled) and shown (expiring).
import { AppError } from '../../../shared/errors'
import { createLogger } from '../../../shared/logger'
import type {
  ConversationKey,
  GroupReadCounts,
  GroupReadEvent,
  GroupReaders,
  PeerReceipts,
  PrivacySettings,
  TypingEvent
} from '../../../shared/model'
import { pb } from '../../../shared/proto/codec'
import { TypedEmitter } from '../../../shared/typed-emitter'
import { canonicalUserId } from '../../../shared/user-id'
import type { Connection, PushFrame } from '../net/connection'
import { chatTypeFromWire, chatTypeToWire } from '../protocol/messages'
import type { ReceiptsChange, ReceiptsStoreApi } from '../store/receipts'
import type { Promised } from '../store/domain-apis'

const log = createLogger('core:receipts')

/**
 * While the user types, one "typing" goes out at most this often: the receiver shows it for TYPING_EXPIRE_MS, so a
 * refresh every 3 s keeps the line steady with one small frame per 3 s (Signal and WhatsApp use 3-5 s).
 */
export const TYPING_SEND_INTERVAL_MS = 3_000
/**
 * A "typing" shown here disappears after this long without another one (the sender may have closed the app or
 * lost the link): two send intervals, so one lost or late refresh does not make the line flicker.
 */
export const TYPING_EXPIRE_MS = 6_000
/** Stored batches confirmed at most this often (a burst of pushes becomes one delivered request). */
export const DELIVERED_COALESCE_MS = 250

export interface ReceiptsClientEvents {
  /** The peer of a one-to-one chat moved its delivered / read pointer. */
  peer: PeerReceipts
  /** A member read past messages of mine in a group (ask the counts again). */
  groupRead: GroupReadEvent
  typing: TypingEvent
  privacy: PrivacySettings
}

export interface ReceiptsClientOptions {
  me: string
  connection: Connection
  store: Promised<ReceiptsStoreApi>
  /** This device's position in the account's log (what it has stored). */
  cursor: () => number
}

function keyString(key: ConversationKey): string {
  return `${key.type}:${key.id}`
}

export class ReceiptsClient extends TypedEmitter<ReceiptsClientEvents> {
  private readonly typingSentAt = new Map<string, number>()
  /** Who types where: conversation key -> user -> expiry timer. */
  private readonly typingShown = new Map<string, Map<string, ReturnType<typeof setTimeout>>>()
  private deliveredTimer: ReturnType<typeof setTimeout> | null = null
  private deliveredConfirmed = 0
  private readonly unsubscribe: Array<() => void> = []

  constructor(private readonly options: ReceiptsClientOptions) {
    super()
    this.unsubscribe.push(options.connection.on('push', (push) => this.onPush(push)))
    this.unsubscribe.push(options.connection.on('online', () => this.noteStored()))
  }

  close(): void {
    for (const off of this.unsubscribe) off()
    if (this.deliveredTimer) clearTimeout(this.deliveredTimer)
    for (const users of this.typingShown.values()) for (const timer of users.values()) clearTimeout(timer)
    this.typingShown.clear()
  }

  /** The device stored entries of its log: confirm delivery (coalesced; one request per batch, never per message). */
  noteStored(): void {
    if (this.deliveredTimer) return
    this.deliveredTimer = setTimeout(() => {
      this.deliveredTimer = null
      void this.confirmDelivered()
    }, DELIVERED_COALESCE_MS)
  }

  private async confirmDelivered(): Promise<void> {
    const upto = this.options.cursor()
    if (upto <= this.deliveredConfirmed || !this.options.connection.isOnline) return
    try {
      await this.options.connection.request({ receipts: { delivered: { uptoSeq: upto } } }, 'receiptsOk')
      this.deliveredConfirmed = Math.max(this.deliveredConfirmed, upto)
    } catch (err) {
      // The next stored batch or connect confirms it (the server keeps the highest position it was told).
      log.info('could not confirm delivery yet', { error: String(err) })
    }
  }

  /** Applied receipt / privacy entries of the account's log (sync or push). */
  onApplied(changes: readonly ReceiptsChange[]): void {
    for (const change of changes) {
      if (change.kind === 'peer') this.emit('peer', change.receipts)
      else this.emit('privacy', change.settings)
    }
  }

  /** A message arrived from `user`: they stopped typing there. */
  noteMessageFrom(conversation: ConversationKey, user: string): void {
    this.clearTyping(conversation, user)
  }

  /** The peer's pointers as this device has them (from its log; no request). */
  async knownPeer(conversation: ConversationKey): Promise<PeerReceipts> {
    if (conversation.type !== 'single') return { conversation, deliveredSeq: 0, readSeq: 0 }
    return this.options.store.peer(conversation.id)
  }

  /** The peer's pointers as stored, after asking the server for the newest (a device that was away). */
  async peer(conversation: ConversationKey): Promise<PeerReceipts> {
    if (conversation.type !== 'single') return { conversation, deliveredSeq: 0, readSeq: 0 }
    if (this.options.connection.isOnline) {
      try {
        const answer = await this.options.connection.request({ receipts: { peerPointers: { conversations: [conversation.id] } } }, 'receiptsOk')
        for (const peer of answer.peers ?? []) {
          const id = canonicalUserId(peer.conversation)
          if (!id) continue
          const moved = await this.options.store.notePeer(id, Number(peer.deliveredSeq ?? 0), Number(peer.readSeq ?? 0))
          if (moved) this.emit('peer', moved)
        }
      } catch (err) {
        log.info('could not refresh the peer\'s receipts; showing what this device knows', { error: String(err) })
      }
    }
    return this.options.store.peer(conversation.id)
  }

  async groupCounts(conversation: ConversationKey, seqs: readonly number[]): Promise<GroupReadCounts> {
    if (conversation.type !== 'group') throw new AppError('BAD_ARGUMENT', 'Read counts are for group chats.')
    const asked = [...new Set(seqs.filter((seq) => Number.isInteger(seq) && seq > 0))]
    const answer = await this.options.connection.request({ receipts: { groupCounts: { group: conversation.id, seqs: asked } } }, 'receiptsOk')
    const counts: Record<number, number> = {}
    const available = answer.countsUnavailable !== true
    if (available) asked.forEach((seq, index) => (counts[seq] = Number(answer.readCounts?.[index] ?? 0)))
    return { conversation, counts, available, memberCount: Number(answer.memberCount ?? 0) }
  }

  async groupReaders(conversation: ConversationKey, seq: number): Promise<GroupReaders> {
    if (conversation.type !== 'group') throw new AppError('BAD_ARGUMENT', 'Readers are listed for group chats.')
    const answer = await this.options.connection.request({ receipts: { groupReaders: { group: conversation.id, seq } } }, 'receiptsOk')
    return { conversation, seq, readers: answer.readers ?? [], available: answer.countsUnavailable !== true }
  }

  /** The settings this device follows (asked from the server when online, so a new device has them). */
  async privacy(): Promise<PrivacySettings> {
    if (this.options.connection.isOnline) {
      try {
        const answer = await this.options.connection.request({ receipts: { privacyGet: {} } }, 'receiptsOk')
        const settings = { readReceiptsOff: answer.privacy?.readReceiptsOff === true, typingOff: answer.privacy?.typingOff === true }
        await this.options.store.setPrivacy(settings)
        return settings
      } catch (err) {
        log.info('could not read the privacy settings from the server', { error: String(err) })
      }
    }
    return this.options.store.privacy()
  }

  /** Changes the account's settings on the server (every device follows through the account's log). */
  async setPrivacy(settings: PrivacySettings): Promise<PrivacySettings> {
    const answer = await this.options.connection.request(
      { receipts: { privacySet: { readReceiptsOff: settings.readReceiptsOff, typingOff: settings.typingOff } } },
      'receiptsOk'
    )
    const stored = { readReceiptsOff: answer.privacy?.readReceiptsOff === true, typingOff: answer.privacy?.typingOff === true }
    await this.options.store.setPrivacy(stored)
    this.emit('privacy', stored)
    return stored
  }

  /**
   * The user typed in (typing = true) or cleared / sent the draft of (false) a conversation. "Typing" goes out at
   * most once per TYPING_SEND_INTERVAL_MS; "stopped" only after a "typing" went out. Nothing when typing is off.
   * Resolves true when the server relayed a frame.
   */
  async setTyping(conversation: ConversationKey, typing: boolean): Promise<boolean> {
    if (conversation.type === 'room' || !this.options.connection.isOnline) return false
    if ((await this.options.store.privacy()).typingOff) return false
    const key = keyString(conversation)
    const now = Date.now()
    const sentAt = this.typingSentAt.get(key)
    if (typing) {
      if (sentAt !== undefined && now - sentAt < TYPING_SEND_INTERVAL_MS) return false
      this.typingSentAt.set(key, now)
    } else {
      if (sentAt === undefined) return false
      this.typingSentAt.delete(key)
    }
    const state = typing ? pb.TypingState.TYPING_STATE_TYPING : pb.TypingState.TYPING_STATE_STOPPED
    try {
      const answer = await this.options.connection.request(
        { typing: { conversation: conversation.id, chatType: chatTypeToWire(conversation.type), state } },
        'typingOk'
      )
      return answer.relayed === true
    } catch (err) {
      log.debug('typing not sent', { error: String(err) })
      return false
    }
  }

  /** Who types in a conversation now (the header and the list show it). */
  typingIn(conversation: ConversationKey): string[] {
    return [...(this.typingShown.get(keyString(conversation))?.keys() ?? [])]
  }

  private onPush({ frame }: PushFrame): void {
    if (frame.body === 'typingNotice' && frame.typingNotice) {
      const notice = frame.typingNotice
      const type = chatTypeFromWire(notice.chatType)
      const user = canonicalUserId(notice.from)
      if (!user || user === this.options.me || type === 'room') return
      const id = type === 'single' ? canonicalUserId(notice.conversation) : (notice.conversation ?? '')
      if (!id) return
      const conversation = { type, id }
      if (notice.state === pb.TypingState.TYPING_STATE_STOPPED) this.clearTyping(conversation, user)
      else this.showTyping(conversation, user)
    } else if (frame.body === 'groupRead' && frame.groupRead) {
      const read = frame.groupRead
      const reader = canonicalUserId(read.reader)
      if (!reader || !read.group) return
      this.emit('groupRead', { conversation: { type: 'group', id: read.group }, reader, readSeq: Number(read.readSeq ?? 0) })
    }
  }

  private showTyping(conversation: ConversationKey, user: string): void {
    const key = keyString(conversation)
    let users = this.typingShown.get(key)
    if (!users) {
      users = new Map()
      this.typingShown.set(key, users)
    }
    const previous = users.get(user)
    if (previous) clearTimeout(previous)
    users.set(user, setTimeout(() => this.clearTyping(conversation, user), TYPING_EXPIRE_MS))
    if (!previous) this.emit('typing', { conversation, user, typing: true })
  }

  private clearTyping(conversation: ConversationKey, user: string): void {
    const key = keyString(conversation)
    const users = this.typingShown.get(key)
    const timer = users?.get(user)
    if (!users || timer === undefined) return
    clearTimeout(timer)
    users.delete(user)
    if (users.size === 0) this.typingShown.delete(key)
    this.emit('typing', { conversation, user, typing: false })
  }
}
