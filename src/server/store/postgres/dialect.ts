// Owns the translation of the store's SQL (written for SQLite) into PostgreSQL's dialect, statement by statement:
// placeholders, the reserved column name "user", INSERT OR IGNORE, two-argument MAX/MIN, LIKE and integer casts.

/** Tables whose INSERT must hand back a generated key (SQLite's lastInsertRowid), and that key's column. */
const GENERATED_KEYS: Readonly<Record<string, string>> = { messages: 'server_id', attempts: 'rowid' }

export interface TranslatedStatement {
  text: string
  /** For SQL with named parameters (@name): the names in the order of $1, $2, ... (the call passes one object). */
  parameterNames: string[] | null
  /** The generated key column the statement returns (an INSERT into a table of GENERATED_KEYS), else null. */
  returnsKey: string | null
}

/** A piece of SQL text: code, or a literal/identifier that is copied untouched. */
interface Segment {
  code: boolean
  text: string
}

/** Splits SQL into code and quoted parts ('string', "identifier"), so rewrites never touch literals. */
function segments(sql: string): Segment[] {
  const parts: Segment[] = []
  let start = 0
  let index = 0
  while (index < sql.length) {
    const char = sql[index]
    if (char === "'" || char === '"') {
      if (index > start) parts.push({ code: true, text: sql.slice(start, index) })
      let end = index + 1
      while (end < sql.length) {
        if (sql[end] === char) {
          if (sql[end + 1] === char) end += 2 // a doubled quote inside the literal
          else break
        } else end++
      }
      parts.push({ code: false, text: sql.slice(index, end + 1) })
      index = end + 1
      start = index
    } else index++
  }
  if (start < sql.length) parts.push({ code: true, text: sql.slice(start) })
  return parts
}

/** Index of the parenthesis closing the one at `open`, or -1. */
function closingParen(text: string, open: number): number {
  let depth = 0
  for (let index = open; index < text.length; index++) {
    if (text[index] === '(') depth++
    else if (text[index] === ')') {
      depth--
      if (depth === 0) return index
    }
  }
  return -1
}

/** True when `inner` has a comma outside nested parentheses (MAX(a, b) rather than MAX(a)). */
function hasTopLevelComma(inner: string): boolean {
  let depth = 0
  for (const char of inner) {
    if (char === '(') depth++
    else if (char === ')') depth--
    else if (char === ',' && depth === 0) return true
  }
  return false
}

/** SQLite's scalar MAX(a, b) / MIN(a, b) are GREATEST / LEAST in PostgreSQL (the aggregates stay). */
function scalarExtremes(code: string): string {
  const pattern = /\b(MAX|MIN)\s*\(/gi
  let out = ''
  let last = 0
  for (let match = pattern.exec(code); match; match = pattern.exec(code)) {
    const open = match.index + match[0].length - 1
    const close = closingParen(code, open)
    if (close < 0) continue
    if (!hasTopLevelComma(code.slice(open + 1, close))) continue
    out += code.slice(last, match.index) + ((match[1] as string).toUpperCase() === 'MAX' ? 'GREATEST' : 'LEAST')
    last = match.index + (match[1] as string).length
  }
  return out + code.slice(last)
}

/**
 * Translates one statement. The SQL is the store's own (never user input), so the rewrites are the handful of
 * differences it uses; scalar MAX/MIN are only found inside one code segment (they never span a literal).
 */
export function toPostgres(sql: string): TranslatedStatement {
  // The one catalog query (the benchmark's row counts) names SQLite's catalog.
  if (/\bFROM\s+sqlite_master\b/i.test(sql)) {
    return {
      text: "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'parley_schema' ORDER BY table_name",
      parameterNames: null,
      returnsKey: null
    }
  }
  let placeholder = 0
  const parameterNames: string[] = []
  let ignoreConflicts = false
  // A blob literal X'00ff' is PostgreSQL's '\x00ff'::bytea (rewritten before the literals are set apart).
  const withBlobs = sql.replace(/\bX'([0-9A-Fa-f]*)'/g, "'\\x$1'::bytea")
  const parts = segments(withBlobs).map((part) => {
    if (!part.code) return part.text
    let code = part.text
    if (/\bINSERT\s+OR\s+IGNORE\s+INTO\b/i.test(code)) {
      ignoreConflicts = true
      code = code.replace(/\bINSERT\s+OR\s+IGNORE\s+INTO\b/gi, 'INSERT INTO')
    }
    // Named parameters first (@user must not become @"user"); the same name is the same placeholder.
    code = code.replace(/@(\w+)/g, (_match, name: string) => {
      const known = parameterNames.indexOf(name)
      if (known >= 0) return `$${known + 1}`
      parameterNames.push(name)
      return `$${parameterNames.length}`
    })
    code = code
      .replace(/\buser\b/g, '"user"')
      .replace(/\binstr\s*\(/gi, 'strpos(') // same arguments, same answer (1-based position, 0 = absent)
      .replace(/\bLIKE\b/g, 'ILIKE') // SQLite's LIKE ignores ASCII case
      .replace(/\bAS\s+INTEGER\b/gi, 'AS BIGINT') // SQLite's INTEGER is 64-bit
      .replace(/\?/g, () => `$${++placeholder}`)
    return scalarExtremes(code)
  })
  if (placeholder > 0 && parameterNames.length > 0) throw new Error(`SQL mixes ? and @name parameters: ${sql}`)
  let text = parts.join('').trim().replace(/;$/, '')
  const insertInto = /^\s*INSERT\s+INTO\s+"?(\w+)"?/i.exec(text)
  const returnsKey = insertInto && !/\bRETURNING\b/i.test(text) ? (GENERATED_KEYS[insertInto[1] as string] ?? null) : null
  if (ignoreConflicts) text = appendBeforeReturning(text, ' ON CONFLICT DO NOTHING')
  if (returnsKey) text += ` RETURNING ${returnsKey}`
  return { text, parameterNames: parameterNames.length > 0 ? parameterNames : null, returnsKey }
}

function appendBeforeReturning(text: string, clause: string): string {
  const returning = /\sRETURNING\s/i.exec(text)
  if (!returning) return text + clause
  return text.slice(0, returning.index) + clause + text.slice(returning.index)
}
