// bench:store — the roaming store at scale: sync-style inserts through applyEvents (search indexes on) vs raw
// better-sqlite3 inserts, older history back-filled newest first (as a new device does), keyset history pages,
// search (rare and common words, substrings, CJK) and reopen time. Prints ONE JSON object.
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
/** Share of messages written in Chinese (runs of two-character words without spaces). */
const CJK_SHARE = 0.1
const CJK_VOCABULARY_SIZE = 2_000
/**
 * Share of the messages (the oldest) stored the way back-fill stores them (sync/backfill.ts): after the newer ones,
 * in pages of BACKFILL_PAGE, the newest page first. Search must still list them in time order, as fast.
 */
const BACKFILL_SHARE = Number(process.env.BENCH_BACKFILL_SHARE ?? 0.3)
/** The back-fill's page size (sync/backfill.ts BACKFILL_PAGE_SIZE). */
const BACKFILL_PAGE = 100
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

/**
 * Two-character Chinese words from a pool of common characters (the shape that defeats a trigram index), the
 * first ones the most frequent.
 */
function buildCjkVocabulary(random: () => number): string[] {
  const pool = [...'的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞']
  const words = new Set<string>()
  while (words.size < CJK_VOCABULARY_SIZE) {
    words.add(pool[Math.floor(random() * pool.length)]! + pool[Math.floor(random() * pool.length)]!)
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
function messageStream(vocabulary: string[], cjkVocabulary: string[], distribution: Distribution): (count: number) => ChatMessage[] {
  const random = seededRandom(42)
  const pickWord = zipfPicker(vocabulary.length, random)
  const pickCjkWord = zipfPicker(cjkVocabulary.length, random)
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
      const cjk = random() < CJK_SHARE
      const length = 2 + Math.floor(random() * (cjk ? 10 : 18))
      for (let w = 0; w < length; w++) words.push(cjk ? cjkVocabulary[pickCjkWord()]! : vocabulary[pickWord()]!)
      batch.push({
        id: clientId(timestamp),
        serverId: seq,
        conversationId: peer,
        chatType: 'single',
        from: outgoing ? ME : peer,
        to: outgoing ? peer : ME,
        direction: outgoing ? 'out' : 'in',
        // Chinese is written without spaces: a query word is somewhere inside one long run.
        content: { type: 'text', text: words.join(cjk ? '' : ' ') },
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

/** Milliseconds spent storing the newer messages through sync, and the older share through back-fill pages. */
async function insertThroughStore(
  file: string,
  vocabulary: string[],
  cjkVocabulary: string[],
  distribution: Distribution,
  backfillShare: number
): Promise<{ syncMs: number; syncCount: number; backfillMs: number; backfillCount: number }> {
  const store = await openMessageStore(file)
  const next = messageStream(vocabulary, cjkVocabulary, distribution)
  const backfillCount = Math.floor(MESSAGES * backfillShare)
  // The oldest messages exist on the server; this device gets them after the newer ones.
  const older: ChatMessage[] = []
  while (older.length < backfillCount) older.push(...next(Math.min(SYNC_BATCH, backfillCount - older.length)))
  let syncMs = 0
  for (let done = backfillCount; done < MESSAGES; done += SYNC_BATCH) {
    const batch = next(Math.min(SYNC_BATCH, MESSAGES - done))
    const start = process.hrtime.bigint()
    await store.applyEvents(batch, batch.at(-1)!.seq!, null)
    syncMs += elapsedMs(start)
  }
  let backfillMs = 0
  for (let end = older.length; end > 0; end -= BACKFILL_PAGE) {
    // A history page as the server answers it: newest first.
    const page = older.slice(Math.max(0, end - BACKFILL_PAGE), end).reverse()
    const start = process.hrtime.bigint()
    await store.applyEvents(page, MESSAGES, null)
    backfillMs += elapsedMs(start)
  }
  await store.close()
  return { syncMs, syncCount: MESSAGES - backfillCount, backfillMs, backfillCount }
}

/**
 * The same rows, table shape and connection settings without FTS, triggers or conversations: one prepared
 * statement, transactions of the same size. The gap to insertPerSec is what the store's semantics cost.
 */
function insertRaw(file: string, vocabulary: string[], cjkVocabulary: string[], distribution: Distribution): number {
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
  const next = messageStream(vocabulary, cjkVocabulary, distribution)
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
    const cjkVocabulary = buildCjkVocabulary(seededRandom(8))
    const storeFile = path.join(dir, 'store.db')
    const inserted = await insertThroughStore(storeFile, vocabulary, cjkVocabulary, 'zipf', BACKFILL_SHARE)
    const rawInsertMs = insertRaw(path.join(dir, 'raw.db'), vocabulary, cjkVocabulary, 'zipf')
    fs.rmSync(path.join(dir, 'raw.db'), { force: true })
    // The same measurements with messages spread evenly (the worst case for the keyset index), kept visible.
    let storeUniformMs = NaN
    let rawUniformMs = NaN
    if (WITH_UNIFORM) {
      storeUniformMs = (await insertThroughStore(path.join(dir, 'uniform.db'), vocabulary, cjkVocabulary, 'uniform', 0)).syncMs
      fs.rmSync(path.join(dir, 'uniform.db'), { force: true })
      rawUniformMs = insertRaw(path.join(dir, 'raw-uniform.db'), vocabulary, cjkVocabulary, 'uniform')
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
    // The 10 most frequent words (Zipf ranks 1-10; by the weights 'the' is in ~70% of the messages), newest 50 hits;
    // back-filled history included (the store holds the oldest BACKFILL_SHARE stored last, newest first).
    const commonWordMs: number[] = []
    for (const word of COMMON_WORDS.slice(0, 10)) {
      const start = process.hrtime.bigint()
      await store.search(word, SEARCH_LIMIT)
      commonWordMs.push(elapsedMs(start))
    }
    // The same for the 10 most frequent words of 3+ letters ('the', 'and', 'that', ...): the common words that go
    // through the word and substring indexes, not the short-word scan of the newest messages ('a', 'i', 'to').
    const commonLongWordMs: number[] = []
    for (const word of COMMON_WORDS.filter((w) => w.length >= 3).slice(0, 10)) {
      const start = process.hrtime.bigint()
      await store.search(word, SEARCH_LIMIT)
      commonLongWordMs.push(elapsedMs(start))
    }
    // Substrings of words (the middle of a random vocabulary word of 5+ letters: 'ssag' in 'message').
    const substringMs: number[] = []
    const longWords = vocabulary.filter((word) => word.length >= 5)
    for (let i = 0; i < SEARCH_SAMPLES; i++) {
      const word = longWords[Math.floor(random() * longWords.length)]!
      const start = process.hrtime.bigint()
      await store.search(word.slice(1, -1), SEARCH_LIMIT)
      substringMs.push(elapsedMs(start))
    }
    // Two-character Chinese words (the bigram index) and four-character runs across two words (trigrams).
    const cjkWordMs: number[] = []
    const cjkRunMs: number[] = []
    for (let i = 0; i < SEARCH_SAMPLES; i++) {
      const word = cjkVocabulary[Math.floor(random() * cjkVocabulary.length)]!
      let start = process.hrtime.bigint()
      await store.search(word, SEARCH_LIMIT)
      cjkWordMs.push(elapsedMs(start))
      const run = word + cjkVocabulary[Math.floor(random() * 20)]!
      start = process.hrtime.bigint()
      await store.search(run, SEARCH_LIMIT)
      cjkRunMs.push(elapsedMs(start))
    }
    const cjkCommonMs: number[] = []
    for (const word of cjkVocabulary.slice(0, 10)) {
      const start = process.hrtime.bigint()
      await store.search(word, SEARCH_LIMIT)
      cjkCommonMs.push(elapsedMs(start))
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
        insertPerSec: Math.round(inserted.syncCount / (inserted.syncMs / 1000)),
        backfillInsertPerSec: Math.round(inserted.backfillCount / (inserted.backfillMs / 1000)),
        backfillShare: BACKFILL_SHARE,
        rawInsertPerSec: Math.round(MESSAGES / (rawInsertMs / 1000)),
        insertPerSecUniform: Math.round(MESSAGES / (storeUniformMs / 1000)),
        rawInsertPerSecUniform: Math.round(MESSAGES / (rawUniformMs / 1000)),
        pageP99Ms: percentile(pageMs, 99),
        searchP50Ms: percentile(searchMs, 50),
        openMs: Number(openMs.toFixed(1)),
        pageP50Ms: percentile(pageMs, 50),
        searchP99Ms: percentile(searchMs, 99),
        searchCommonWordP50Ms: percentile(commonWordMs, 50),
        searchCommonWordP99Ms: percentile(commonWordMs, 99),
        searchCommonLongWordP50Ms: percentile(commonLongWordMs, 50),
        searchCommonLongWordP99Ms: percentile(commonLongWordMs, 99),
        searchSubstringP50Ms: percentile(substringMs, 50),
        searchSubstringP99Ms: percentile(substringMs, 99),
        searchCjkWordP50Ms: percentile(cjkWordMs, 50),
        searchCjkWordP99Ms: percentile(cjkWordMs, 99),
        searchCjkCommonWordP50Ms: percentile(cjkCommonMs, 50),
        searchCjkRunP50Ms: percentile(cjkRunMs, 50),
        searchCjkRunP99Ms: percentile(cjkRunMs, 99),
        cjkShare: CJK_SHARE,
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
