// Owns this device's cursors in its groups' logs: one group_sync with every cursor after the user-log catch-up
// (the server answers only groups that moved, paged per group), live GroupEntry pushes applied in order (a gap asks
// group_sync for that group alone), not_member ending a group's sync and an expired cursor restarting it at the head.
import type { ChatMessage, Conversation, ConversationKey } from '../../../shared/model'
import { createLogger } from '../../../shared/logger'
import { canonicalGroupId } from '../../../shared/group-id'
import type { parley } from '../../../shared/proto/gen/parley.js'
import type { MessageStore } from '../store/types'
import type { GroupCursor } from '../store/groups'
import { INFO_NOTICES, timelineItem, type WireGroupEntry } from './entries'
import type { AppCommand } from '../../../shared/model/commands'
import { splitCommands } from '../messages/commands'

const log = createLogger('core:group-sync')

/** Entries per group per group_sync answer (the server caps it too): a screenful or two of a busy group. */
export const GROUP_SYNC_PAGE = 200
/**
 * group_sync rounds one catch-up may take before it stops and lets the next catch-up go on: a group answering
 * has_more without moving its cursor (a damaged server) must not spin the loop.
 */
const MAX_SYNC_ROUNDS = 1_000

export interface GroupSyncOptions {
  store: MessageStore
  me: string
  request: (cursors: GroupCursor[], limit: number) => Promise<parley.v1.IGroupSyncResponse>
  activeConversation: () => ConversationKey | null
  /** `commands`: the group's command messages, handed to the app and never stored (messages/commands.ts). */
  onApplied: (changes: { messages: ChatMessage[]; conversations: Conversation[]; commands?: AppCommand[] }) => void
  /** A notice said the group's description changed (name, roles, settings...): ask for it again. */
  onInfoStale: (group: string) => void
  /** The group's log no longer holds this device's cursor: it jumped to the head; fetch the newest page. */
  onRestarted: (group: string) => void
  /** The server answered not_member: the group's record changed (its sync stopped). */
  onStopped: (group: string) => void
}

export class GroupSync {
  private chain: Promise<unknown> = Promise.resolve()
  /** group_sync requests and which groups the last catch-up's answers held (tests, diagnostics). */
  readonly counters = { requests: 0, entries: 0, lastAnswered: [] as string[] }

  constructor(private readonly options: GroupSyncOptions) {}

  /** Every followed group: one group_sync with all cursors; the answer holds only groups that moved. */
  syncAll(): Promise<void> {
    return this.enqueue(async () => this.run(await this.options.store.domains.groups.cursors(), true))
  }

  /** These groups only (newly joined, a gap in the pushes). */
  syncGroups(groups: readonly string[]): Promise<void> {
    return this.enqueue(async () => {
      const wanted = new Set(groups)
      const cursors = (await this.options.store.domains.groups.cursors()).filter((c) => wanted.has(c.group))
      if (cursors.length > 0) await this.run(cursors, false)
    })
  }

  /** A live GroupEntry push: applied when it is the next entry, else a group_sync for its group. Never rejects. */
  onEntry(entry: WireGroupEntry): void {
    void this.enqueue(async () => {
      // Ids compared as the server does (trimmed, lowercased); one that cannot be a group's names nothing followed.
      const group = canonicalGroupId(entry.group)
      if (group === null) return
      const seq = Number(entry.seq ?? 0)
      const followed = (await this.options.store.domains.groups.cursors()).find((c) => c.group === group)
      // Not followed yet (the membership event that starts it is on its way): its group_sync will bring the entry.
      if (!followed || seq <= followed.cursor) return
      if (seq === followed.cursor + 1) await this.apply(group, [entry], seq)
      else await this.run([followed], false)
    }).catch((err: unknown) => log.info('could not apply a group entry; the next catch-up fetches it', { error: String(err) }))
  }

  /** This device's own group message was acked at `seq` (already stored): the cursor moves over it when next. */
  noteOwnAck(group: string, seq: number): void {
    void this.enqueue(() => this.options.store.domains.groups.noteOwnAck(group, seq)).catch((err: unknown) =>
      log.warn('could not move a group cursor', { error: String(err) })
    )
  }

  whenIdle(): Promise<void> {
    return this.chain.then(() => undefined)
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task)
    this.chain = run.catch(() => undefined)
    return run
  }

  private async run(initial: GroupCursor[], recordAnswered: boolean): Promise<void> {
    let cursors = initial
    const answered = new Set<string>()
    for (let round = 0; cursors.length > 0 && round < MAX_SYNC_ROUNDS; round++) {
      this.counters.requests += 1
      const response = await this.options.request(cursors, GROUP_SYNC_PAGE)
      const next: GroupCursor[] = []
      for (const batch of response.groups ?? []) {
        const group = canonicalGroupId(batch.group)
        const before = cursors.find((c) => c.group === group)
        if (group === null || !before) continue
        answered.add(group)
        const entries = batch.entries ?? []
        let cursor = before.cursor
        if (entries.length > 0) {
          cursor = entries.reduce((max, e) => Math.max(max, Number(e.seq ?? 0)), cursor)
          this.counters.entries += entries.length
          await this.apply(group, entries, cursor)
        }
        if (batch.cursorExpired) {
          const head = Number(batch.headSeq ?? 0)
          log.warn('a group cursor expired; restarting the group from its newest history', { group, cursor })
          await this.options.store.domains.groups.setCursor(group, head)
          this.options.onRestarted(group)
          continue
        }
        if (batch.notMember) {
          await this.options.store.domains.groups.stopFollowing(group)
          this.options.onStopped(group)
          continue
        }
        if (batch.hasMore && cursor > before.cursor) next.push({ group, cursor })
      }
      cursors = next
    }
    if (recordAnswered) this.counters.lastAnswered = [...answered].sort()
  }

  private async apply(group: string, entries: WireGroupEntry[], cursor: number): Promise<void> {
    const messages: ChatMessage[] = []
    const commands: ChatMessage[] = []
    const mentionSeqs: number[] = []
    const stale = new Set<string>()
    for (const entry of entries) {
      const item = timelineItem({ ...entry, group }, this.options.me)
      if (!item.message) {
        log.warn('a group entry could not be read; skipped', { group, seq: item.seq })
        continue
      }
      if (item.message.content.type === 'command') {
        commands.push(item.message)
        continue
      }
      messages.push(item.message)
      if (item.mentionsMe) mentionSeqs.push(item.seq)
      if (item.message.content.type === 'notice' && INFO_NOTICES.has(item.message.content.kind)) stale.add(group)
    }
    const active = this.options.activeConversation()
    const applied = await this.options.store.domains.groups.applyEntries({
      group,
      messages,
      mentionSeqs,
      cursor,
      active: active && active.type === 'group' && active.id === group ? active : null
    })
    this.options.onApplied({ ...applied, commands: splitCommands(commands).commands })
    for (const staleGroup of stale) this.options.onInfoStale(staleGroup)
  }
}
