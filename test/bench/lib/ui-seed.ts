// Owns bench:ui's data: a server whose log holds an account's history (MESSAGES over CONVERSATIONS peers, one of them
// with BIG_CONVERSATION_SHARE of it) and a browser-host tab's client store that has synced all of it, both written
// through their own store APIs (server: ServerStore.appendMessages; client: MessageStore.applyEvents, big
// transactions) and cached between runs under a key made of both schema versions; plus the unsynced catch-up.
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { messageIdToHex } from '../../../src/main/core/message-id'
import { openAccountStore } from '../../../src/main/core/session/account-files'
import { LATEST_SCHEMA_VERSION, openMessageStore, type MessageStore } from '../../../src/main/core/store'
import { registerAccount } from '../../../src/main/core/app-server'
import { startServer } from '../../../src/server/index'
import { SCHEMA_VERSION as SERVER_SCHEMA_VERSION } from '../../../src/server/store/migrations'
import { openServerStore } from '../../../src/server/store/worker-store'
import type { AppendResult, NewMessage } from '../../../src/server/store/types'
import { ChatTypePb, pb } from '../../../src/shared/proto/codec'
import type { ChatMessage } from '../../../src/shared/model'
import { seededRandom } from '../../support/seeded-random'

/** Bump when what the seed writes changes (not the schemas: those are in the key already). */
const SEED_FORMAT = 2
export const BENCH_USER = 'bench_me'
export const BENCH_PASSWORD = 'bench-password'
/** The browser tab whose device holds the synced store (its id is what the page keeps in sessionStorage). */
export const BENCH_TAB = 'b'.repeat(32)
/** Rows per transaction on both sides: big enough that commits do not dominate, small enough to stay in memory. */
const SEED_BATCH = 5_000
/** The seeded history ends this long before the run (a week of chat), one message every SPACING_MS. */
const SPACING_MS = 1_000
const BASE_TIME_MS = Date.UTC(2026, 0, 1)
/** Share of the history the busiest conversation holds (100k of 1M). */
const BIG_CONVERSATION_SHARE = 0.1
/** Share of messages this account sent (the rest came in). */
const OUTGOING_SHARE = 0.35
const WORDS = `the meeting tomorrow coffee project release build test deploy server client message photo video call weekend
holiday flight hotel dinner birthday party office report budget design review ticket bug feature launch team sprint demo
chat group room thanks great sounds okay sure maybe later tonight morning evening monday friday remember please sorry
and that have with this from they will would there their what about which when make like time just know take people`.split(/\s+/)
/** A word in about every second message: the "common word" the stall phase searches for. */
export const COMMON_WORD = 'the'

export interface SeedShape {
  messages: number
  conversations: number
}

export interface SeededData {
  /** Copy of the cache for this run (the run changes both stores). */
  serverDir: string
  webDir: string
  peers: string[]
  bigPeer: string
  /** ms spent creating the cache this run (0 when it was reused). */
  seedMs: number
  cacheKey: string
}

export function peerName(index: number): string {
  return `peer${String(index).padStart(4, '0')}`
}

export function tabDataDir(webDir: string): string {
  return path.join(webDir, 'tabs', BENCH_TAB)
}

/** The message stream: which peer, which direction, what words. Same every time for the same shape and seed. */
function messageSource(shape: SeedShape, seed: number, startMs: number): (count: number) => NewMessage[] {
  const random = seededRandom(seed)
  let n = 0
  return (count) => {
    const batch: NewMessage[] = []
    for (let i = 0; i < count; i++, n++) {
      const big = random() < BIG_CONVERSATION_SHARE
      const peer = peerName(big ? 0 : 1 + Math.floor(random() * (shape.conversations - 1)))
      const outgoing = random() < OUTGOING_SHARE
      const words: string[] = []
      const length = 3 + Math.floor(random() * 14)
      for (let w = 0; w < length; w++) words.push(WORDS[Math.floor(random() * random() * WORDS.length)]!)
      batch.push({
        sender: outgoing ? BENCH_USER : peer,
        recipient: outgoing ? peer : BENCH_USER,
        clientId: randomBytes(16),
        chatType: ChatTypePb.CHAT_TYPE_SINGLE,
        timestamp: startMs + n * SPACING_MS,
        body: pb.Body.encode({ text: { text: words.join(' ') } }).finish()
      })
    }
    return batch
  }
}

/** The client's view of a message the server stored (what sync would have written). */
function chatMessageOf(result: AppendResult, text: string): ChatMessage {
  const { message } = result
  const outgoing = message.sender === BENCH_USER
  const peer = outgoing ? message.recipient : message.sender
  return {
    id: messageIdToHex(message.clientId),
    serverId: message.serverId,
    conversationId: peer,
    chatType: 'single',
    from: message.sender,
    to: message.recipient,
    direction: outgoing ? 'out' : 'in',
    content: { type: 'text', text },
    timestamp: message.timestamp,
    seq: outgoing ? message.senderSeq : result.recipientSeq,
    status: outgoing ? 'sent' : 'received',
    error: null
  }
}

async function createCache(dir: string, shape: SeedShape, log: (line: string) => void): Promise<void> {
  const serverDir = path.join(dir, 'server')
  const webDir = path.join(dir, 'web')
  // The account exists the way every account does (registration through the server's API).
  const server = await startServer({ port: 0, dataDir: serverDir })
  try {
    await registerAccount(server.url, BENCH_USER, BENCH_PASSWORD)
  } finally {
    await server.close()
  }
  const serverStore = await openServerStore(serverDir)
  // In this thread (the app opens it in its worker): the seed is one long batch job, nothing waits on this thread.
  const clientStore = await openAccountStore(tabDataDir(webDir), BENCH_USER, [BENCH_USER], undefined, openMessageStore)
  try {
    const next = messageSource(shape, 42, BASE_TIME_MS)
    let pendingClient: Promise<unknown> = Promise.resolve()
    for (let done = 0; done < shape.messages; done += SEED_BATCH) {
      const batch = next(Math.min(SEED_BATCH, shape.messages - done))
      const results = await serverStore.appendMessages(batch)
      const messages = results.map((result, i) => chatMessageOf(result, pb.Body.decode(batch[i]!.body).text?.text ?? ''))
      const cursor = messages.reduce((max, m) => Math.max(max, m.seq ?? 0), 0)
      // The client writes batch k while the server (its own worker thread) writes batch k+1.
      await pendingClient
      pendingClient = clientStore.applyEvents(messages, cursor, null)
      if ((done / SEED_BATCH) % 20 === 0) log(`seeded ${done + batch.length} of ${shape.messages}`)
    }
    await pendingClient
    // The device is caught up with the whole log (registration's entries included) and has the whole history:
    // nothing for the back-fill to fetch.
    const head = await serverStore.headSeq(BENCH_USER)
    await clientStore.applyEvents([], head, null)
    await finishClientSeed(clientStore, shape)
  } finally {
    await clientStore.close()
    await serverStore.close()
  }
}

/**
 * The user has read everything (a chat opens at its newest message, not at an unread divider 100k back) and every
 * pointer is on the server's side already; the back-fill has nothing to fetch (the device has the whole history).
 */
export async function finishClientSeed(clientStore: MessageStore, shape: SeedShape): Promise<void> {
  for (let i = 0; i < shape.conversations; i++) {
    const key = { type: 'single' as const, id: peerName(i) }
    await clientStore.setBackfillState({ key, belowSeq: 0, done: true, reachedAt: null })
    const read = await clientStore.markRead(key)
    if (read) await clientStore.markReadPointerSynced(key, read.readSeq)
  }
}

/**
 * A fresh copy of the seeded stores for this run under `runDir`, creating the cache first when there is none for
 * these schema versions and this shape.
 */
export async function seededCopy(cacheRoot: string, runDir: string, shape: SeedShape, log: (line: string) => void): Promise<SeededData> {
  const cacheKey = `client${LATEST_SCHEMA_VERSION}-server${SERVER_SCHEMA_VERSION}-seed${SEED_FORMAT}-${shape.messages}x${shape.conversations}`
  const cacheDir = path.join(cacheRoot, cacheKey)
  let seedMs = 0
  if (!fs.existsSync(path.join(cacheDir, 'complete'))) {
    fs.rmSync(cacheDir, { recursive: true, force: true })
    log(`seeding ${shape.messages} messages over ${shape.conversations} conversations into ${cacheDir}`)
    const start = performance.now()
    await createCache(cacheDir, shape, log)
    fs.writeFileSync(path.join(cacheDir, 'complete'), new Date().toISOString())
    seedMs = Math.round(performance.now() - start)
  }
  fs.cpSync(path.join(cacheDir, 'server'), path.join(runDir, 'server'), { recursive: true })
  fs.cpSync(path.join(cacheDir, 'web'), path.join(runDir, 'web'), { recursive: true })
  const peers = Array.from({ length: shape.conversations }, (_, i) => peerName(i))
  return { serverDir: path.join(runDir, 'server'), webDir: path.join(runDir, 'web'), peers, bigPeer: peerName(0), seedMs, cacheKey }
}

/** Appends `count` messages the device has not synced (the catch-up), newer than the seeded history: ms and the head. */
export async function appendUnsynced(serverDir: string, shape: SeedShape, count: number): Promise<{ ms: number; head: number }> {
  const start = performance.now()
  const store = await openServerStore(serverDir)
  try {
    const next = messageSource(shape, 4242, BASE_TIME_MS + shape.messages * SPACING_MS)
    for (let done = 0; done < count; done += SEED_BATCH) await store.appendMessages(next(Math.min(SEED_BATCH, count - done)))
    return { ms: Math.round(performance.now() - start), head: await store.headSeq(BENCH_USER) }
  } finally {
    await store.close()
  }
}
