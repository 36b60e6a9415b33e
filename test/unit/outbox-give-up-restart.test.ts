// The outbox's give-up budget (SEND_GIVE_UP_MS of failing online time) survives restarts: a client core restarted
// over the same SQLite file goes on from the failing time already spent instead of starting again from zero.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../src/shared/errors'
import type { ChatMessage } from '../../src/shared/model'
import type { ResponseBody } from '../../src/main/core/net/connection'
import { newOutgoingText } from '../../src/main/core/protocol/messages'
import { openMessageStore, type MessageStore } from '../../src/main/core/store'
import { Outbox, SEND_GIVE_UP_REASON } from '../../src/main/core/sync/outbox'
import { tempDir, type TempDir } from './store-helpers'

/** The budget in these tests (fake clock ms) and how long each failing send takes on the fake clock. */
const GIVE_UP_MS = 10_000
const SEND_TAKES_MS = 1_000
const A_DAY_MS = 24 * 60 * 60 * 1000

/** One run of the client core: a store over the database file and an outbox whose sends all time out. */
interface Run {
  store: MessageStore
  outbox: Outbox
  sends: number
  online: boolean
  /** The link drops during this send (1-based), which parks the outbox: a run ends there. */
  dropAt: number
}

describe('outbox give-up budget across restarts', () => {
  let dir: TempDir
  let clock: number
  let runs: Run[]

  async function startRun(dropAt: number): Promise<Run> {
    const store = await openMessageStore(dir.file('parley.db'))
    const run: Run = { store, outbox: null as unknown as Outbox, sends: 0, online: true, dropAt }
    run.outbox = new Outbox({
      store,
      send: (): Promise<ResponseBody<'sendAck'>> => {
        run.sends += 1
        clock += SEND_TAKES_MS
        if (run.sends === run.dropAt) run.online = false
        return Promise.reject(new AppError('TIMEOUT', 'The server did not answer in time.'))
      },
      isOnline: () => run.online,
      onChanged: () => undefined,
      retryBaseMs: 1,
      retryMaxMs: 2,
      giveUpAfterMs: GIVE_UP_MS,
      now: () => clock
    })
    runs.push(run)
    return run
  }

  async function stop(run: Run): Promise<void> {
    run.outbox.close()
    await run.store.close()
  }

  beforeEach(() => {
    dir = tempDir()
    clock = 1_790_000_000_000
    runs = []
  })
  afterEach(async () => {
    for (const run of runs) await stop(run).catch(() => undefined)
    dir.remove()
  })

  it('marks the message failed once the failing online time of all runs adds up to the budget', async () => {
    // First run: six sends time out (6 s of the 10 s budget), then the app is quit.
    const first = await startRun(6)
    const message: ChatMessage = newOutgoingText('alice', { type: 'single', id: 'bob' }, 'kept failing')
    await first.outbox.enqueue(message)
    await first.outbox.flush()
    expect(first.sends).toBe(6)
    expect((await first.store.getMessage(message.id))?.status).toBe('sending')
    await stop(first)

    // A day with the app closed does not count. Second run over the same file: four more sends spend the rest.
    clock += A_DAY_MS
    const second = await startRun(8)
    await second.outbox.flush()
    const failed = await second.store.getMessage(message.id)
    expect(failed?.status).toBe('failed')
    expect(failed?.error).toEqual(SEND_GIVE_UP_REASON)
    expect(second.sends).toBe(4)
  })

  it('spreads over many short runs: restarting the app every few sends does not keep it sending for ever', async () => {
    const message: ChatMessage = newOutgoingText('alice', { type: 'single', id: 'bob' }, 'restarted often')
    let total = 0
    for (let restart = 0; restart < 10; restart++) {
      const run = await startRun(3)
      if (restart === 0) await run.outbox.enqueue(message)
      await run.outbox.flush()
      total += run.sends
      const stored = await run.store.getMessage(message.id)
      await stop(run)
      if (stored?.status === 'failed') break
      clock += 60_000
    }
    const store = await openMessageStore(dir.file('parley.db'))
    const final = await store.getMessage(message.id)
    await store.close()
    expect(final?.status).toBe('failed')
    expect(final?.error).toEqual(SEND_GIVE_UP_REASON)
    expect(total).toBe(GIVE_UP_MS / SEND_TAKES_MS)
  })

  it('gives a message the user sends again a whole new budget', async () => {
    const first = await startRun(100)
    const message: ChatMessage = newOutgoingText('alice', { type: 'single', id: 'bob' }, 'tap to retry')
    await first.outbox.enqueue(message)
    await first.outbox.flush()
    expect((await first.store.getMessage(message.id))?.status).toBe('failed')
    expect(first.sends).toBe(GIVE_UP_MS / SEND_TAKES_MS)
    await stop(first)

    const second = await startRun(100)
    await second.outbox.retry(message.id)
    await second.outbox.flush()
    expect((await second.store.getMessage(message.id))?.status).toBe('failed')
    expect(second.sends).toBe(GIVE_UP_MS / SEND_TAKES_MS)
  })
})
