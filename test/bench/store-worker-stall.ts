// The core thread's event-loop stall while the store works hard: a catch-up written in STORE_APPLY_CHUNK batches and
// searches for a common word, with the store on the core's thread (openMessageStore) and in its worker thread
// (openWorkerMessageStore, as the shells run it). Prints ONE JSON line. Run: npx tsx test/bench/store-worker-stall.ts
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { LoopStallMonitor } from '../../src/host/loop-stall'
import { openMessageStore, type MessageStore } from '../../src/main/core/store'
import { openWorkerMessageStore } from '../../src/main/core/store/worker/worker-store'
import { STORE_APPLY_CHUNK } from '../../src/main/core/sync/syncer'
import type { ChatMessage } from '../../src/shared/model'
import { seededRandom } from '../support/seeded-random'

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000)
const CONVERSATIONS = 1_000
const SEARCHES = 20
/** Events per applyEvents call (the syncer's STORE_APPLY_CHUNK by default). */
const CHUNK = Number(process.env.BENCH_CHUNK ?? STORE_APPLY_CHUNK)
const WORDS = ['hello', 'lunch', 'meeting', 'tomorrow', 'project', 'coffee', 'weekend', 'ticket', 'release', 'photo']

function messages(count: number): ChatMessage[] {
  const random = seededRandom(7)
  const list: ChatMessage[] = []
  for (let seq = 1; seq <= count; seq++) {
    const peer = `user${Math.floor(random() * CONVERSATIONS)}`
    const text = Array.from({ length: 8 }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ')
    list.push({
      id: seq.toString(16).padStart(32, '0'),
      serverId: seq,
      conversationId: peer,
      chatType: 'single',
      from: peer,
      to: 'me',
      direction: 'in',
      content: { type: 'text', text },
      timestamp: 1_790_000_000_000 + seq,
      seq,
      status: 'received',
      error: null
    })
  }
  return list
}

/** Lets the loop turn, so a stall that just ended is sampled (the histogram's timer runs only when the loop does). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 30))

interface Phase {
  maxStallMs: number
  ms: number
}

async function phase(monitor: LoopStallMonitor, work: () => Promise<void>): Promise<Phase> {
  await settle()
  monitor.reset()
  const started = performance.now()
  await work()
  const ms = Math.round(performance.now() - started)
  await settle()
  return { maxStallMs: monitor.read().maxStallMs, ms }
}

async function measure(store: MessageStore, all: ChatMessage[]): Promise<{ catchUp: Phase; search: Phase }> {
  const monitor = new LoopStallMonitor().start()
  // Something else wants the loop meanwhile (IPC, the socket's heartbeat): a timer every 5 ms.
  const ticker = setInterval(() => undefined, 5)
  const catchUp = await phase(monitor, async () => {
    for (let i = 0; i < all.length; i += CHUNK) {
      const chunk = all.slice(i, i + CHUNK)
      await store.applyEvents(chunk, chunk[chunk.length - 1]!.seq!)
    }
  })
  const search = await phase(monitor, async () => {
    for (let i = 0; i < SEARCHES; i++) await store.searchGrouped(WORDS[i % WORDS.length]!, 50)
  })
  clearInterval(ticker)
  monitor.stop()
  return { catchUp, search }
}

async function main(): Promise<void> {
  const all = messages(MESSAGES)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-stall-'))
  try {
    const inThread = await openMessageStore(path.join(dir, 'in-thread.sqlite'))
    const onThread = await measure(inThread, all)
    await inThread.close()
    const worker = await openWorkerMessageStore(path.join(dir, 'worker.sqlite'))
    const inWorker = await measure(worker, all)
    await worker.close()
    console.log(JSON.stringify({ messages: MESSAGES, chunk: CHUNK, searches: SEARCHES, inThread: onThread, worker: inWorker }))
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
