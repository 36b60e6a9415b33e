// The store's worker thread runs below the priority of the thread that runs the core (STORE_THREAD_NICE), so a long
// catch-up writing there does not take the CPU the core needs to answer the windows; the core's thread keeps its own.
// Linux only: there the nice value is per thread (read from /proc); elsewhere the worker leaves the priority alone.
import fs from 'node:fs'
import os from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { openWorkerMessageStore, type WorkerMessageStore } from '../../src/main/core/store/worker/worker-store'
import { STORE_THREAD_NICE } from '../../src/main/core/store/worker/thread-priority'
import { tempDir, type TempDir } from './store-helpers'

/** The nice value of each thread of this process (field 19 of /proc/self/task/<tid>/stat, after the name). */
function threadNices(): number[] {
  return fs.readdirSync('/proc/self/task').map((tid) => {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(afterName[16])
  })
}

describe.runIf(process.platform === 'linux')('store worker priority', { timeout: 30_000 }, () => {
  let dir: TempDir | null = null
  let store: WorkerMessageStore | null = null
  afterEach(async () => {
    await store?.close()
    dir?.remove()
  })

  it('lowers only the store thread: one thread more at the store nice, the core thread unchanged', async () => {
    const mine = os.getPriority()
    expect(STORE_THREAD_NICE).toBeGreaterThan(mine)
    const before = threadNices().filter((nice) => nice === STORE_THREAD_NICE).length
    dir = tempDir()
    store = await openWorkerMessageStore(dir.file('alice.sqlite'))
    await store.page({ type: 'single', id: 'bob' }, null, 1)
    expect(threadNices().filter((nice) => nice === STORE_THREAD_NICE).length).toBe(before + 1)
    expect(os.getPriority()).toBe(mine)
  })
})
