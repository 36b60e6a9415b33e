// Schema version 3: conversations keyed by (chat type, canonical id) with read pointers and drafts, raw storage
// for unknown and quarantined events, and search rebuilt for CJK and substrings in time order.
//
// * Canonical ids. Every sender, recipient and single-chat id becomes canonicalUserId() (trimmed, lowercased),
//   so rows of 'BOB' and 'bob' become one conversation: unread counts add up, the last message is the newest
//   one, no message is lost. Conversations are keyed by PRIMARY KEY (chat_type, id) (group and room ids may
//   repeat a user id), and messages name their conversation by (chat_type, conversation_id). That reference is
//   a plain column, not a FOREIGN KEY: the store is the only writer and writes a message's conversation in the
//   same transaction (conversation-updates.ts apply() fails the write when one is missing); the enforced,
//   deferred key cost ~10-14% of the sync insert rate in bench:store (a parent lookup per inserted row).
// * Read state is a pointer per conversation (read_seq): unread = incoming messages with seq > read_seq, so
//   every device that has the same pointer shows the same count. unread_count is kept for speed and is derived
//   from the pointer: an incoming message counts when it is stored after the pointer, unless its seq is at or
//   below unread_through_seq, the head of a server summary (a new-device start) whose count already included
//   it (the newest page fetched after the summary must not count twice). read_seq_synced is what the server
//   has confirmed: read_seq above it is an offline markRead still to send. From version 2 the pointer is
//   derived from the old counter: the N newest incoming messages stay unread.
// * Search finds words and substrings of words in every script, newest first:
//   - messages_fts indexes the words of each text (unicode61: case and diacritics folded; a run of Chinese,
//     Japanese or Korean characters without spaces is one word).
//   - search_terms holds every distinct word once (runs of CJK excepted), with a trigram index over it
//     (search_terms_fts): a query word of 3+ characters finds the words that contain it ('ssag' -> 'message',
//     'messages'), and messages_fts is then asked for messages with any of those words. A trigram index
//     over the messages themselves was measured first (bench:store, 1M messages): ~19 ms p50 per rare word
//     (its doclists are long: every trigram is in many messages) against ~1.8 ms this way, a 1.8x larger
//     file and slower inserts.
//   - Trigrams cannot find 1-2 character words, which is most of Chinese and many Korean and Japanese words,
//     so messages_cjk indexes the CJK runs of each text as overlapping two-character pieces (search-text.ts
//     cjkBigrams: '我们明天见' -> '我们 们明 明天 天见 见'): a 2-character CJK query is one token, a
//     1-character one a prefix, a longer one the AND of its pairs checked with LIKE. Short non-CJK words
//     (1-2 Latin letters) only filter the results of the other words, or scan the newest messages when alone
//     (search-query.ts).
//   Both message indexes are keyed by messages.search_key, a time-ordered integer (timestamp << 21 |
//   tie-break, search-text.ts searchKey), so 'ORDER BY rowid DESC LIMIT 50' is the newest 50 hits without
//   sorting every match. messages_fts is an external-content index over messages (content_rowid =
//   search_key); messages_cjk is contentless (contentless_delete) and only has rows for texts with CJK. Words
//   are never removed from search_terms: a word no message has any more only costs one empty lookup.
import type { Database } from 'better-sqlite3'
import { mayHaveCjkSql } from '../search-text'
import { registerStoreFunctions } from '../sql-functions'

export const version = 3

interface OldConversation {
  chat_type: string
  id: string
  unread_count: number
  updated_at: number
}

interface NewestMessage {
  id: string
  seq: number | null
  timestamp: number
}

export function up(db: Database): void {
  registerStoreFunctions(db)
  // The rebuild below renames and drops tables that conversations.last_message_id points at: check the foreign
  // keys once, at commit. Resets by itself when the migration's transaction ends.
  db.pragma('defer_foreign_keys = ON')
  db.exec(`
    DROP TRIGGER messages_fts_after_insert;
    DROP TRIGGER messages_fts_after_delete;
    DROP TRIGGER messages_fts_after_update;
    DROP TABLE messages_fts;
    ALTER TABLE conversations RENAME TO conversations_v2;
    ALTER TABLE messages RENAME TO messages_v2;
    DROP INDEX messages_by_conversation_seq;
    DROP INDEX messages_outbox;
    DROP INDEX conversations_by_updated_at;
    DROP INDEX conversations_by_last_message;

    CREATE TABLE conversations (
      chat_type          TEXT    NOT NULL CHECK (chat_type IN ('single', 'group', 'room')),
      id                 TEXT    NOT NULL,  -- canonical: the peer's canonicalUserId() for single chats
      last_message_id    TEXT    REFERENCES messages (id) ON DELETE SET NULL,
      unread_count       INTEGER NOT NULL DEFAULT 0 CHECK (unread_count >= 0),
      read_seq           INTEGER NOT NULL DEFAULT 0,  -- the read pointer: seq <= read_seq is read
      read_seq_synced    INTEGER NOT NULL DEFAULT 0,  -- the pointer the server has confirmed
      unread_through_seq INTEGER NOT NULL DEFAULT 0,  -- a server summary's count covered incoming seq <= this
      draft              TEXT,
      updated_at         INTEGER NOT NULL,
      PRIMARY KEY (chat_type, id)
    ) STRICT;

    CREATE TABLE messages (
      -- Insertion order on this device: the outbox order.
      local_order     INTEGER PRIMARY KEY,
      id              TEXT    NOT NULL UNIQUE,  -- the client id
      server_id       INTEGER,
      conversation_id TEXT    NOT NULL,
      chat_type       TEXT    NOT NULL CHECK (chat_type IN ('single', 'group', 'room')),
      sender          TEXT    NOT NULL,
      recipient       TEXT    NOT NULL,
      direction       TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
      type            TEXT    NOT NULL,
      -- JSON of the message content; NULL when the content is plain text, which \`text\` then holds (stored once).
      body            TEXT,
      text            TEXT    NOT NULL,         -- searchable text extracted from the content ('' for none)
      timestamp       INTEGER NOT NULL,
      seq             INTEGER,                  -- null while unacked
      status          TEXT    NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'received')),
      error           TEXT,
      search_key      INTEGER NOT NULL          -- the search indexes' rowid: time-ordered (search-text.ts)
    ) STRICT;

    INSERT INTO messages (local_order, id, server_id, conversation_id, chat_type, sender, recipient, direction, type,
                          body, text, timestamp, seq, status, error, search_key)
    SELECT local_order, id, server_id,
           CASE chat_type WHEN 'single' THEN parley_canonical_user(conversation_id) ELSE conversation_id END,
           chat_type, parley_canonical_user(sender),
           CASE chat_type WHEN 'single' THEN parley_canonical_user(recipient) ELSE recipient END,
           direction, type, body, text, timestamp, seq, status, error, parley_search_key(timestamp, seq, id)
    FROM messages_v2 ORDER BY local_order;

    -- Keyset paging: WHERE chat_type = ? AND conversation_id = ? AND seq < ? ORDER BY seq DESC. Unacked rows
    -- (seq NULL) sort first, in rowid (= local) order, which is exactly what the newest page appends.
    CREATE INDEX messages_by_conversation_seq ON messages (chat_type, conversation_id, seq);
    -- The durable outbox: only rows still 'sending' are in this index, so it stays tiny.
    CREATE INDEX messages_outbox ON messages (local_order) WHERE status = 'sending';
    CREATE UNIQUE INDEX messages_by_search_key ON messages (search_key);
    -- What reinterpretUnsupported() re-reads after an upgrade: usually empty.
    CREATE INDEX messages_unsupported ON messages (local_order) WHERE type = 'unsupported';
  `)

  rebuildConversations(db)

  db.exec(`
    DROP TABLE conversations_v2;
    DROP TABLE messages_v2;

    CREATE INDEX conversations_by_updated_at ON conversations (updated_at);
    CREATE INDEX conversations_by_last_message ON conversations (last_message_id);
    -- pendingReadPointers(): the pointers moved offline, usually none.
    CREATE INDEX conversations_read_unsynced ON conversations (chat_type, id) WHERE read_seq > read_seq_synced;

    -- Log entries of kinds this version does not know, kept raw for a newer version (reinterpretUnsupported).
    CREATE TABLE unknown_events (
      seq         INTEGER PRIMARY KEY,
      raw         BLOB    NOT NULL,
      received_at INTEGER NOT NULL
    ) STRICT;

    -- Poison events put aside so sync goes on (diagnostics lists them).
    CREATE TABLE quarantined_events (
      seq            INTEGER PRIMARY KEY,
      raw            BLOB,
      reason         TEXT    NOT NULL,
      quarantined_at INTEGER NOT NULL
    ) STRICT;

    -- detail=none: queries are ORs of whole words or word prefixes, never phrases or NEAR, so token positions
    -- are not stored. columnsize=0: results are ordered by time (rowid), never by bm25 rank.
    CREATE VIRTUAL TABLE messages_fts USING fts5 (
      text,
      content = 'messages',
      content_rowid = 'search_key',
      tokenize = 'unicode61 remove_diacritics 2',
      columnsize = 0,
      detail = none
    );

    -- Every distinct word of every message (search-text.ts searchWords), for substring queries. Written by the
    -- store once per write with those words of its texts that the connection has not listed yet
    -- (SqliteMessageStore.listWords), not by a per-row trigger: a sync batch of 2,000 messages has ~20,000 words,
    -- a few thousand distinct ones, and after the first batches almost none new (the trigger cost ~20% of the
    -- insert rate in bench:store, probing every distinct word ~10%).
    CREATE TABLE search_terms (
      id   INTEGER PRIMARY KEY,
      term TEXT    NOT NULL UNIQUE
    ) STRICT;

    CREATE VIRTUAL TABLE search_terms_fts USING fts5 (
      term,
      content = 'search_terms',
      content_rowid = 'id',
      tokenize = 'trigram remove_diacritics 1',
      columnsize = 0
    );

    CREATE TRIGGER search_terms_after_insert AFTER INSERT ON search_terms BEGIN
      INSERT INTO search_terms_fts (rowid, term) VALUES (new.id, new.term);
    END;

    -- detail=none: bigram queries are single tokens or prefixes, never phrases. (contentless_delete needs the
    -- column sizes, so columnsize stays on here.)
    CREATE VIRTUAL TABLE messages_cjk USING fts5 (
      pieces,
      content = '',
      contentless_delete = 1,
      tokenize = 'unicode61 remove_diacritics 0',
      detail = none
    );

    -- Messages without searchable text (unsupported content) are not indexed; the WHEN clauses keep every
    -- 'delete' paired with an earlier insert, which an external-content index requires.
    CREATE TRIGGER messages_fts_after_insert AFTER INSERT ON messages WHEN new.text <> '' BEGIN
      INSERT INTO messages_fts (rowid, text) VALUES (new.search_key, new.text);
    END;

    -- Only texts that may have CJK characters (search-text.ts mayHaveCjkSql) call into JavaScript for their pieces.
    CREATE TRIGGER messages_cjk_after_insert AFTER INSERT ON messages WHEN ${mayHaveCjkSql('new.text')} BEGIN
      INSERT INTO messages_cjk (rowid, pieces)
        SELECT new.search_key, pieces FROM (SELECT parley_cjk_bigrams(new.text) AS pieces) WHERE pieces IS NOT NULL;
    END;

    CREATE TRIGGER messages_fts_after_delete AFTER DELETE ON messages WHEN old.text <> '' BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.search_key, old.text);
      DELETE FROM messages_cjk WHERE rowid = old.search_key;
    END;

    -- Only a change of text or of the search key (an ack sets the server's time) touches the indexes. One
    -- trigger, so the old entry is always removed before the new one is added (they may share the rowid).
    CREATE TRIGGER messages_fts_after_update AFTER UPDATE OF text, search_key ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text) SELECT 'delete', old.search_key, old.text WHERE old.text <> '';
      DELETE FROM messages_cjk WHERE rowid = old.search_key;
      INSERT INTO messages_fts (rowid, text) SELECT new.search_key, new.text WHERE new.text <> '';
      INSERT INTO messages_cjk (rowid, pieces)
        SELECT new.search_key, pieces FROM (SELECT parley_cjk_bigrams(new.text) AS pieces) WHERE pieces IS NOT NULL;
    END;

    INSERT INTO messages_fts (rowid, text) SELECT search_key, text FROM messages WHERE text <> '' ORDER BY search_key;
    INSERT INTO search_terms (term)
      SELECT w.value FROM messages, json_each(parley_words(messages.text)) w WHERE messages.text <> ''
      ON CONFLICT (term) DO NOTHING;
    INSERT INTO messages_cjk (rowid, pieces)
      SELECT search_key, pieces FROM (SELECT search_key, parley_cjk_bigrams(text) AS pieces FROM messages WHERE text <> '')
      WHERE pieces IS NOT NULL ORDER BY search_key;
  `)
}

/**
 * One row per (chat type, canonical id): the old rows of every spelling merged (unread counts added, latest
 * activity), the last message chosen again over the merged messages, and the read pointer derived so that the
 * merged unread count of newest incoming messages stays unread.
 */
function rebuildConversations(db: Database): void {
  const merged = new Map<string, OldConversation>()
  const oldRows = db
    .prepare<[], OldConversation>(
      `SELECT chat_type, CASE chat_type WHEN 'single' THEN parley_canonical_user(id) ELSE id END AS id, unread_count,
              updated_at
       FROM conversations_v2
       UNION ALL
       -- A conversation that has messages but lost its row (never expected) is rebuilt too: no message is orphaned.
       SELECT chat_type, conversation_id, 0, max(timestamp) FROM messages GROUP BY chat_type, conversation_id`
    )
    .all()
  for (const row of oldRows) {
    const key = `${row.chat_type}:${row.id}`
    const entry = merged.get(key)
    if (entry === undefined) merged.set(key, { ...row })
    else {
      entry.unread_count += row.unread_count
      entry.updated_at = Math.max(entry.updated_at, row.updated_at)
    }
  }

  const newestAcked = db.prepare<[string, string], NewestMessage>(
    `SELECT id, seq, timestamp FROM messages WHERE chat_type = ? AND conversation_id = ? AND seq IS NOT NULL
     ORDER BY seq DESC LIMIT 1`
  )
  const newestUnacked = db.prepare<[string, string], NewestMessage>(
    `SELECT id, seq, timestamp FROM messages WHERE chat_type = ? AND conversation_id = ? AND seq IS NULL
     ORDER BY timestamp DESC, local_order DESC LIMIT 1`
  )
  const nthNewestIncoming = db.prepare<[string, string, number], { seq: number }>(
    `SELECT seq FROM messages WHERE chat_type = ? AND conversation_id = ? AND seq IS NOT NULL AND direction = 'in'
     ORDER BY seq DESC LIMIT 1 OFFSET ?`
  )
  const countIncomingAfter = db.prepare<[string, string, number], { n: number }>(
    `SELECT count(*) AS n FROM messages WHERE chat_type = ? AND conversation_id = ? AND seq > ? AND direction = 'in'`
  )
  const insert = db.prepare(
    `INSERT INTO conversations (chat_type, id, last_message_id, unread_count, read_seq, read_seq_synced,
                                unread_through_seq, updated_at)
     VALUES (?, ?, ?, ?, ?, 0, 0, ?)`
  )
  for (const conversation of merged.values()) {
    const { chat_type: type, id } = conversation
    const acked = newestAcked.get(type, id)
    const unacked = newestUnacked.get(type, id)
    // The same rule as conversation-updates.ts isNewerMessage: acked by seq; an unacked one by time.
    const last = acked === undefined ? unacked : unacked !== undefined && unacked.timestamp >= acked.timestamp ? unacked : acked
    const headSeq = acked?.seq ?? 0
    // N unread: the pointer sits just below the N-th newest incoming message (all of them if there are fewer).
    const readSeq =
      conversation.unread_count <= 0
        ? headSeq
        : Math.max(0, (nthNewestIncoming.get(type, id, conversation.unread_count - 1)?.seq ?? 1) - 1)
    const unread = countIncomingAfter.get(type, id, readSeq)?.n ?? 0
    insert.run(type, id, last?.id ?? null, unread, readSeq, conversation.updated_at)
  }
}
