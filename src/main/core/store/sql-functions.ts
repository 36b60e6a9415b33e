// The application-defined SQL functions the store's schema uses (in triggers and migrations), registered on
// every connection before any statement runs: canonical user ids, search keys, words and CJK bigrams.
import type { Database } from 'better-sqlite3'
import { canonicalUserId } from '../../../shared/user-id'
import { cjkBigrams, searchKey, searchWords } from './search-text'

/** Registers (or re-registers: idempotent) the functions on `db`. */
export function registerStoreFunctions(db: Database): void {
  // An id that is not a valid user id at all is kept as it is (migrations must not lose rows).
  db.function('parley_canonical_user', { deterministic: true }, (raw: unknown) =>
    typeof raw === 'string' ? (canonicalUserId(raw) ?? raw) : raw
  )
  db.function('parley_search_key', { deterministic: true }, (timestamp: unknown, seq: unknown, id: unknown) =>
    searchKey(Number(timestamp), seq === null ? null : Number(seq), String(id))
  )
  db.function('parley_words', { deterministic: true }, (text: unknown) =>
    typeof text === 'string' ? JSON.stringify(searchWords(text)) : '[]'
  )
  db.function('parley_cjk_bigrams', { deterministic: true }, (text: unknown) =>
    typeof text === 'string' ? cjkBigrams(text) : null
  )
}
