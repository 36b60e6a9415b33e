// Owns re-checking the logs this node serves against PostgreSQL after a lost wake-up (bus outage, "moved" notice):
// pushes, in order, exactly the entries this node has not pushed, and reloads the user's group subscriptions.
import { createLogger } from '../../shared/logger'
import { encodeFrame } from '../../shared/proto/codec'
import type { OnlineRegistry } from '../gateway/online-registry'
import { entryToEvent } from '../services/events'
import { groupEntryProps } from '../services/groups'
import type { ServerStore } from '../store/types'
import type { LogTracker } from './log-tracker'

const log = createLogger('server:repair')

/** Entries read per store call while re-checking one log. */
export const REPAIR_BATCH = 200
/** Logs re-checked at once after an outage (the rest wait their turn; the store is shared with live traffic). */
export const REPAIR_PARALLEL = 8
/**
 * After the bus is back, everything is re-checked once more this much later: publications dropped by a node whose
 * publishing connection came back after this node's subscription had (or in flight at the crash) are found then.
 */
export const REPAIR_SECOND_PASS_MS = 2_000
/** Told to a connection whose session was revoked elsewhere while the kick could not reach this node. */
const SESSION_ENDED_ELSEWHERE = 'This session has ended; sign in again.'

export type RepairStore = Pick<ServerStore, 'headSeq' | 'readLogAfter' | 'groupSync' | 'devicesOf'>

export interface LogRepairOptions {
  registry: OnlineRegistry
  store: RepairStore
  /** The tracker of a user / group this node serves now (undefined once it stopped serving it). */
  users(user: string): LogTracker | undefined
  groups(group: string): LogTracker | undefined
}

export interface LogRepair {
  /** The user's first device came to this node: their log is served from its current head. */
  startUser(user: string, tracker: LogTracker): void
  startGroup(group: string, tracker: LogTracker): void
  /** Re-checks one log (runs are serialised per log; a request during a run makes one more run). */
  user(user: string): void
  group(group: string): void
  /** Re-checks every log this node serves (the lists are read at each pass) now and after REPAIR_SECOND_PASS_MS. */
  everything(servedUsers: () => string[], servedGroups: () => string[]): void
  close(): void
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

export function createLogRepair({ registry, store, users, groups }: LogRepairOptions): LogRepair {
  /** Log key -> whether another run was asked for while one runs. */
  const running = new Map<string, boolean>()
  const timers = new Set<NodeJS.Timeout>()
  let closed = false

  const repairUser = async (user: string): Promise<void> => {
    const tracker = users(user)
    if (!tracker?.floorKnown) return
    let after = tracker.safeFloor
    for (;;) {
      const entries = await store.readLogAfter(user, after, REPAIR_BATCH)
      if (users(user) !== tracker) return
      for (const entry of entries) {
        if (!tracker.isMissing(entry.seq)) continue
        registry.deliver(user, () => encodeFrame({ id: 0, event: entryToEvent(entry) }))
        tracker.pushed(entry.seq)
      }
      const last = entries.at(-1)
      if (last) after = last.seq
      if (entries.length < REPAIR_BATCH) break
    }
    tracker.raiseFloor(after)
    // Membership changes and sign-out kicks published while the bus was down were lost too.
    await registry.reloadGroups(user)
    await endRevokedSessions(user)
  }

  /** Ends this node's connections of the user whose device session is no longer live (revoked on another node). */
  const endRevokedSessions = async (user: string): Promise<void> => {
    const live = new Set((await store.devicesOf(user, Date.now())).map((device) => device.sessionId))
    for (const session of registry.sessionsOf(user)) {
      if (session.sessionId && !live.has(session.sessionId)) session.endRevoked(SESSION_ENDED_ELSEWHERE)
    }
  }

  const repairGroup = async (group: string): Promise<void> => {
    const tracker = groups(group)
    const member = registry.groupMember(group)
    if (!tracker?.floorKnown || !member) return
    let after = tracker.safeFloor
    for (;;) {
      const batch = (await store.groupSync(member, [{ group, afterSeq: after }], REPAIR_BATCH)).find((found) => found.group === group)
      if (groups(group) !== tracker || !batch || batch.notMember) return
      for (const row of batch.entries) {
        if (!tracker.isMissing(row.seq)) continue
        registry.deliverGroup(group, () => encodeFrame({ id: 0, groupEntry: groupEntryProps(row) }))
        tracker.pushed(row.seq)
      }
      const last = batch.entries.at(-1)
      if (last) after = last.seq
      if (!batch.hasMore || !last) break
    }
    tracker.raiseFloor(after)
  }

  /** Runs `work` for `key` now, or once more after the run in progress. */
  const serialised = (key: string, work: () => Promise<void>): Promise<void> => {
    if (closed) return Promise.resolve()
    if (running.has(key)) {
      running.set(key, true)
      return Promise.resolve()
    }
    running.set(key, false)
    const run = async (): Promise<void> => {
      try {
        await work()
      } catch (err) {
        log.warn('re-checking a log failed', { log: key, error: errorText(err) })
      }
      if (running.get(key) && !closed) {
        running.set(key, false)
        return run()
      }
      running.delete(key)
    }
    return run()
  }

  const user = (name: string): Promise<void> => serialised(`u:${name}`, () => repairUser(name))
  const group = (id: string): Promise<void> => serialised(`g:${id}`, () => repairGroup(id))

  const pass = async (userList: readonly string[], groupList: readonly string[]): Promise<void> => {
    const work = [...userList.map((name) => () => user(name)), ...groupList.map((id) => () => group(id))]
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < work.length && !closed) await work[next++]!()
    }
    await Promise.all(Array.from({ length: Math.min(REPAIR_PARALLEL, work.length) }, worker))
  }

  return {
    startUser(name, tracker) {
      store.headSeq(name).then(
        (head) => tracker.startAt(head),
        (err: unknown) => log.warn('reading the head of a user who came online failed', { user: name, error: errorText(err) })
      )
    },
    startGroup(id, tracker) {
      // The registry tells before it adds the session: read once the member is in.
      queueMicrotask(() => {
        const member = registry.groupMember(id)
        if (!member) return
        store.groupSync(member, [{ group: id, afterSeq: 0 }], 1).then(
          (batches) => tracker.startAt(batches.find((found) => found.group === id)?.headSeq ?? 0),
          (err: unknown) => log.warn('reading the head of a group failed', { group: id, error: errorText(err) })
        )
      })
    },
    user: (name) => void user(name),
    group: (id) => void group(id),
    everything(servedUsers, servedGroups) {
      const userList = servedUsers()
      log.info('re-checking the logs this node serves', { users: userList.length })
      void pass(userList, servedGroups())
      const timer = setTimeout(() => {
        timers.delete(timer)
        void pass(servedUsers(), servedGroups())
      }, REPAIR_SECOND_PASS_MS)
      timer.unref()
      timers.add(timer)
    },
    close() {
      closed = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
    }
  }
}
