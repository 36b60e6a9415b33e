// bench:store — the roaming store at scale: sync-style inserts through applyEvents (FTS on) vs raw
// better-sqlite3 inserts, keyset history pages, FTS search and reopen time. Prints ONE JSON object.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { messageIdFromParts, messageIdToHex } from '../../src/main/core/message-id'
import { openMessageStore } from '../../src/main/core/store'
import { connectionPragmas } from '../../src/main/core/store/connection'
import { messageToParams } from '../../src/main/core/store/rows'
import { STORE_APPLY_CHUNK } from '../../src/main/core/sync/syncer'
import type { ChatMessage } from '../../src/shared/model'
import { seededRandom } from '../support/seeded-random'

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000)
/** BENCH_UNIFORM=0 skips the uniform-distribution runs (quicker iterations; their fields print as null). */
const WITH_UNIFORM = process.env.BENCH_UNIFORM !== '0'
const CONVERSATIONS = 1_000
// The client applies catch-up in chunks of STORE_APPLY_CHUNK events (several sync frames per transaction).
const SYNC_BATCH = Number(process.env.BENCH_BATCH ?? STORE_APPLY_CHUNK)
const PAGE_SIZE = 50
const PAGE_SAMPLES = 250
const SEARCH_SAMPLES = 50
const SEARCH_LIMIT = 50
const VOCABULARY_SIZE = 5_000
const ME = 'me'
const START_TIME_MS = 1_700_000_000_000
/** Messages are one second apart; a sender's clock (the id's timestamp) is up to this far behind the server's. */
const SENDER_CLOCK_SKEW_MS = 2_000
const ID_TAIL_BYTES = 10

/** How messages spread over conversations: a few active chats get most of them (Zipf, s=1), or evenly. */
type Distribution = 'zipf' | 'uniform'

const COMMON_WORDS = `the be to of and a in that have i it for not on with he as you do at this but his by from they we say
her she or an will my one all would there their what so up out if about who get which go me when make can like time no
just him know take people into year your good some could them see other than then now look only come its over think also
back after use two how our work first well way even new want because any these give day most us lunch meeting tomorrow
coffee project release build test deploy server client message photo video call weekend holiday flight hotel dinner
birthday party office report budget design review ticket bug feature launch team sprint demo chat group room thanks
great sounds okay sure maybe later tonight morning evening monday friday remember please sorry`.split(/\s+/)

/** A word list with a realistic shape: common words plus invented ones, drawn with a Zipf-like skew. */
function buildVocabulary(random: () => number): string[] {
  const syllables = ['ka', 'lo', 'mi', 'ren', 'to', 'sha', 'vel', 'qui', 'dor', 'an', 'zu', 'pe', 'rix', 'no', 'ba', 'tem']
  const words = new Set(COMMON_WORDS)
  while (words.size < VOCABULARY_SIZE) {
    const length = 2 + Math.floor(random() * 3)
    let word = ''
    for (let i = 0; i < length; i++) word += syllables[Math.floor(random() * syllables.length)]
    words.add(word)
  }
  return [...words]
}

function zipfPicker(size: number, random: () => number): () => number {
  const cumulative = new Float64Array(size)
  let total = 0
  for (let rank = 0; rank < size; rank++) {
    total += 1 / (rank + 1)
    cumulative[rank] = total
  }
  return () => {
    const target = random() * total
    let low = 0
    let high = size - 1
    while (low < high) {
      const mid = (low + high) >> 1
      if (cumulative[mid]! < target) low = mid + 1
      else high = mid
    }
    return low
  }
}

/**
 * Generates the same message stream every time it is created (seq 1..MESSAGES). Ids have the layout real
 * clients make (src/main/core/message-id.ts): the sender's clock in ms, then 80 bits that are random as far as
 * this device can tell; messages from many senders arrive in roughly, not exactly, id order.
 */
function messageStream(vocabulary: string[], distribution: Distribution): (count: number) => ChatMessage[] {
  const random = seededRandom(42)
  const pickWord = zipfPicker(vocabulary.length, random)
  const pickConversation = distribution === 'zipf' ? zipfPicker(CONVERSATIONS, random) : () => Math.floor(random() * CONVERSATIONS)
  let seq = 0
  const clientId = (timestamp: number): string => {
    const tail = new Uint8Array(ID_TAIL_BYTES)
    for (let i = 0; i < ID_TAIL_BYTES; i++) tail[i] = Math.floor(random() * 256)
    return messageIdToHex(messageIdFromParts(timestamp - Math.floor(random() * SENDER_CLOCK_SKEW_MS), tail))
  }
  return (count) => {
    const batch: ChatMessage[] = []
    for (let i = 0; i < count && seq < MESSAGES; i++) {
      seq++
      const timestamp = START_TIME_MS + seq * 1_000
      const peer = `user${pickConversation()}`
      const outgoing = random() < 0.4
      const words: string[] = []
      const length = 2 + Math.floor(random() * 18)
      for (let w = 0; w < length; w++) words.push(vocabulary[pickWord()]!)
      batch.push({
        id: clientId(timestamp),
        serverId: seq,
        conversationId: peer,
        chatType: 'single',
        from: outgoing ? ME : peer,
        to: outgoing ? peer : ME,
        direction: outgoing ? 'out' : 'in',
        content: { type: 'text', text: words.join(' ') },
        timestamp,
        seq,
        status: outgoing ? 'sent' : 'received',
        error: null
      })
    }
    return batch
  }
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return Number(sorted[Math.max(0, index)]!.toFixed(3))
}

function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6
}

async function insertThroughStore(file: string, vocabulary: string[], distribution: Distribution): Promise<number> {
  const store = await openMessageStore(file)
  const next = messageStream(vocabulary, distribution)
  let spentMs = 0
  for (let done = 0; done < MESSAGES; done += SYNC_BATCH) {
    const batch = next(SYNC_BATCH)
    const start = process.hrtime.bigint()
    await store.applyEvents(batch, batch.at(-1)!.seq!, null)
    spentMs += elapsedMs(start)
  }
  await store.close()
  return spentMs
}

/**
 * The same rows, table shape and connection settings without FTS, triggers or conversations: one prepared
 * statement, transactions of the same size. The gap to insertPerSec is what the store's semantics cost.
 */
function insertRaw(file: string, vocabulary: string[], distribution: Distribution): number {
  const db = new Database(file)
  for (const pragma of connectionPragmas(false)) db.pragma(pragma)
  db.exec(`
    CREATE TABLE messages (
      local_order INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, server_id INTEGER, conversation_id TEXT NOT NULL,
      chat_type TEXT NOT NULL, sender TEXT NOT NULL, recipient TEXT NOT NULL, direction TEXT NOT NULL, type TEXT NOT NULL,
      body TEXT, text TEXT NOT NULL, timestamp INTEGER NOT NULL, seq INTEGER, status TEXT NOT NULL, error TEXT
    ) STRICT;
    CREATE INDEX messages_by_conversation_seq ON messages (conversation_id, seq);`)
  const insert = db.prepare(
    `INSERT INTO messages (id, server_id, conversation_id, chat_type, sender, recipient, direction, type, body, text,
       timestamp, seq, status, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  const insertBatch = db.transaction((batch: ChatMessage[]) => {
    for (const m of batch) {
      // The row exactly as the store lays it out (plain text once, in `text`).
      const row = messageToParams(m)
      insert.run(row.id, row.server_id, row.conversation_id, row.chat_type, row.sender, row.recipient, row.direction,
        row.type, row.body, row.text, row.timestamp, row.seq, row.status, row.error)
    }
  })
  const next = messageStream(vocabulary, distribution)
  let spentMs = 0
  for (let done = 0; done < MESSAGES; done += SYNC_BATCH) {
    const batch = next(SYNC_BATCH)
    const start = process.hrtime.bigint()
    insertBatch(batch)
    spentMs += elapsedMs(start)
  }
  db.close()
  return spentMs
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-store-'))
  try {
    const vocabulary = buildVocabulary(seededRandom(7))
    const storeFile = path.join(dir, 'store.db')
    const storeInsertMs = await insertThroughStore(storeFile, vocabulary, 'zipf')
    const rawInsertMs = insertRaw(path.join(dir, 'raw.db'), vocabulary, 'zipf')
    fs.rmSync(path.join(dir, 'raw.db'), { force: true })
    // The same measurements with messages spread evenly (the worst case for the keyset index), kept visible.
    let storeUniformMs = NaN
    let rawUniformMs = NaN
    if (WITH_UNIFORM) {
      storeUniformMs = await insertThroughStore(path.join(dir, 'uniform.db'), vocabulary, 'uniform')
      fs.rmSync(path.join(dir, 'uniform.db'), { force: true })
      rawUniformMs = insertRaw(path.join(dir, 'raw-uniform.db'), vocabulary, 'uniform')
      fs.rmSync(path.join(dir, 'raw-uniform.db'), { force: true })
    }

    const random = seededRandom(99)
    const store = await openMessageStore(storeFile)
    const pageMs: number[] = []
    for (let i = 0; i < PAGE_SAMPLES; i++) {
      const conversation = `user${Math.floor(random() * CONVERSATIONS)}`
      // Half newest pages, half from a random point in the history.
      const before = i % 2 === 0 ? null : 1 + Math.floor(random() * MESSAGES)
      const start = process.hrtime.bigint()
      await store.page({ type: 'single', id: conversation }, before, PAGE_SIZE)
      pageMs.push(elapsedMs(start))
    }
    const searchMs: number[] = []
    for (let i = 0; i < SEARCH_SAMPLES; i++) {
      const word = vocabulary[Math.floor(random() * vocabulary.length)]!
      const start = process.hrtime.bigint()
      await store.search(word, SEARCH_LIMIT)
      searchMs.push(elapsedMs(start))
    }
    const commonWordMs: number[] = []
    for (const word of COMMON_WORDS.slice(0, 10)) {
      const start = process.hrtime.bigint()
      await store.search(word, SEARCH_LIMIT)
      commonWordMs.push(elapsedMs(start))
    }
    await store.close()

    const openStart = process.hrtime.bigint()
    const reopened = await openMessageStore(storeFile)
    const conversations = await reopened.listConversations()
    const openMs = elapsedMs(openStart)
    await reopened.close()
    if (conversations.length === 0) throw new Error('the reopened store lists no conversations')

    console.log(
      JSON.stringify({
        messages: MESSAGES,
        insertPerSec: Math.round(MESSAGES / (storeInsertMs / 1000)),
        rawInsertPerSec: Math.round(MESSAGES / (rawInsertMs / 1000)),
        insertPerSecUniform: Math.round(MESSAGES / (storeUniformMs / 1000)),
        rawInsertPerSecUniform: Math.round(MESSAGES / (rawUniformMs / 1000)),
        pageP99Ms: percentile(pageMs, 99),
        searchP50Ms: percentile(searchMs, 50),
        openMs: Number(openMs.toFixed(1)),
        pageP50Ms: percentile(pageMs, 50),
        searchP99Ms: percentile(searchMs, 99),
        searchCommonWordP50Ms: percentile(commonWordMs, 50),
        conversations: conversations.length,
        distribution: 'zipf s=1 (page, search, open on this store)',
        batch: SYNC_BATCH,
        dbBytes: fs.statSync(storeFile).size
      })
    )
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
