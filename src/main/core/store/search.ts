// Owns message search: turning a query's plan (search-query.ts) into one statement over the word index, the
// CJK bigram index or a bounded scan of the newest messages, newest hits first.
import type { Statement } from 'better-sqlite3'
import type { ChatMessage, Conversation, ConversationKey, SearchResultGroup } from '../../../shared/model'
import { StoreError } from './errors'
import { messageColumnsOf, MESSAGE_COLUMNS, rowToMessage, searchableText, type MessageRow } from './rows'
import { toSearchPlan, type SearchPlan } from './search-query'
import { queryTerms, snippetOf } from './search-snippet'
import type { StoreContext } from './store-context'
import { checkLimit } from './validate'

const MAX_SEARCH_RESULTS = 500
/**
 * A search made only of 1-2 letter non-CJK words has no index to use: it scans this many newest messages with
 * LIKE (a few ms), which is what such a query is good for (recent messages), instead of the whole history.
 */
const SHORT_QUERY_SCAN_ROWS = 20_000
/**
 * A query word that is inside more distinct words than this (a common syllable such as 'ing') is searched as
 * those words plus the word as a prefix: an OR of a few hundred words is still ~ms, thousands are not.
 */
const MAX_TERMS_PER_WORD = 100

export class MessageSearch {
  /** One prepared statement per query shape (word index or not, bigram or not, how many LIKEs). */
  private readonly statements = new Map<string, Statement<unknown[], MessageRow>>()

  constructor(private readonly context: StoreContext) {}

  search(query: string, limit: number): ChatMessage[] {
    if (typeof query !== 'string') throw new StoreError('STORE_BAD_ARGUMENT', 'The search text must be a string.')
    const size = checkLimit(limit, MAX_SEARCH_RESULTS)
    const plan = toSearchPlan(query)
    if (plan === null) return []
    const words = this.wordsMatch(plan.words)
    const values: unknown[] = []
    if (words !== null) values.push(words)
    if (plan.bigram !== null) values.push(plan.bigram)
    values.push(...plan.likes, size)
    return this.statementFor(plan, words !== null).all(values).map(rowToMessage)
  }

  /**
   * The newest `limit` hits with a snippet and the match ranges in it, grouped by conversation: groups in the
   * order of their newest hit, hits newest first. `conversationOf` names each group (its title).
   */
  searchGrouped(query: string, limit: number, conversationOf: (key: ConversationKey) => Conversation | null): SearchResultGroup[] {
    const messages = this.search(query, limit)
    const terms = queryTerms(query)
    const groups = new Map<string, SearchResultGroup>()
    for (const message of messages) {
      const mapKey = `${message.chatType}:${message.conversationId}`
      let group = groups.get(mapKey)
      if (group === undefined) {
        const conversation: ConversationKey = { type: message.chatType, id: message.conversationId }
        group = { conversation, title: conversationOf(conversation)?.title ?? null, hits: [] }
        groups.set(mapKey, group)
      }
      const { snippet, ranges } = snippetOf(searchableText(message.content), terms)
      group.hits.push({ message, snippet, ranges })
    }
    return [...groups.values()]
  }

  /**
   * The messages_fts MATCH for the plan's long words: each word becomes the OR of the stored words containing it
   * (the words AND together); a word no stored word contains is asked as a prefix (words longer than
   * search-text.ts MAX_TERM_CHARS are not listed). Null when there are no long words.
   */
  private wordsMatch(words: string[]): string | null {
    if (words.length === 0) return null
    const groups: string[] = []
    for (const word of words) {
      // The word is letters, digits and marks only (search-query.ts), and so is every stored term: no quoting issue.
      const terms = this.context.statements.termsContaining.all(`"${word}"`, MAX_TERMS_PER_WORD + 1).map((row) => `"${row.term}"`)
      if (terms.length === 0 || terms.length > MAX_TERMS_PER_WORD) terms.splice(MAX_TERMS_PER_WORD, Infinity, `"${word}"*`)
      groups.push(terms.length === 1 ? terms[0]! : `(${terms.join(' OR ')})`)
    }
    return groups.join(' AND ')
  }

  private statementFor(plan: SearchPlan, hasWords: boolean): Statement<unknown[], MessageRow> {
    const shape = `${hasWords}:${plan.bigram !== null}:${plan.likes.length}`
    let statement = this.statements.get(shape)
    if (statement !== undefined) return statement
    const likes = plan.likes.map(() => ' AND m.text LIKE ?').join('')
    let sql: string
    if (hasWords) {
      const bigram = plan.bigram === null ? '' : ' AND f.rowid IN (SELECT rowid FROM messages_cjk WHERE messages_cjk MATCH ?)'
      sql = `SELECT ${messageColumnsOf('m')} FROM messages_fts f JOIN messages m ON m.search_key = f.rowid
             WHERE messages_fts MATCH ?${bigram}${likes} ORDER BY f.rowid DESC LIMIT ?`
    } else if (plan.bigram !== null) {
      sql = `SELECT ${messageColumnsOf('m')} FROM messages_cjk b JOIN messages m ON m.search_key = b.rowid
             WHERE messages_cjk MATCH ?${likes} ORDER BY b.rowid DESC LIMIT ?`
    } else {
      sql = `SELECT ${MESSAGE_COLUMNS} FROM (
               SELECT ${MESSAGE_COLUMNS}, search_key FROM messages ORDER BY search_key DESC LIMIT ${SHORT_QUERY_SCAN_ROWS}
             ) m WHERE true${likes} ORDER BY search_key DESC LIMIT ?`
    }
    statement = this.context.db.prepare<unknown[], MessageRow>(sql)
    this.statements.set(shape, statement)
    return statement
  }
}
