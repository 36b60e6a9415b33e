// Owns how the platform API checks its input: strict Ajv validators (bodies taken exactly as typed, no unknown fields)
// and the sentence each schema failure answers, naming the field.
import Ajv, { type ErrorObject, type Options as AjvOptions } from 'ajv'
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify'

/**
 * Fastify's default Ajv coerces types ("300" becomes 300, true becomes "true", a scalar becomes a one-item list) and
 * silently drops properties a schema does not list. An operator's script with a typo or a wrong type would then act
 * on something other than what it sent, so bodies are taken exactly as written: no coercion, unknown fields refused
 * (every body schema says `additionalProperties: false`). Defaults still fill absent optional fields.
 * `verbose` keeps the failing value's schema and data on each error, which the sentences below use.
 */
const BODY_OPTIONS: AjvOptions = { coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: false, verbose: true }

/**
 * Query strings and path parameters arrive as text, so a number there is only ever written as one: `limit=20` is
 * coerced to the integer 20 (and `limit=ten` refused). Only scalar coercion: a repeated parameter (`limit=1&limit=2`,
 * which the parser turns into a list) is refused rather than narrowed to one value. Unknown parameters are refused
 * too (a typo such as `limt=5` would otherwise page with the default and look like it worked).
 */
const TEXT_PART_OPTIONS: AjvOptions = { coerceTypes: true, useDefaults: true, removeAdditional: false, allErrors: false, verbose: true }

/** One validator compiler for the /v1 scope: the strict Ajv for bodies, the text-part Ajv for query and params. */
export function createPlatformValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const bodyAjv = new Ajv(BODY_OPTIONS)
  const textPartAjv = new Ajv(TEXT_PART_OPTIONS)
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? bodyAjv : textPartAjv
    return ajv.compile(schema as object)
  }
}

/** What a JSON value is, in words, for "must be X, not Y". */
function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  switch (typeof value) {
    case 'string':
      return 'a string'
    case 'number':
      return 'a number'
    case 'boolean':
      return 'a boolean'
    case 'object':
      return 'an object'
    default:
      return 'nothing'
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list (JSON array)',
  object: 'a JSON object',
  null: 'null'
}

/** A JSON pointer ("/users/0") as the field a caller wrote ("users[0]"). */
function fieldName(instancePath: string): string {
  const segments = instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
  let name = ''
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) name += `[${segment}]`
    else name += name === '' ? segment : `.${segment}`
  }
  return name
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`

/** What the failed rule asks for, as the end of "… must …" (or a whole predicate). */
function requirement(error: ErrorObject, showValue: boolean): string {
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'type': {
      const wanted = String(params.type)
        .split(',')
        .map((type) => TYPE_WORDS[type] ?? type)
        .join(' or ')
      return showValue ? `must be ${wanted}, not ${describeValue(error.data)}` : `must be ${wanted}`
    }
    case 'enum':
      return `must be one of ${((params.allowedValues as unknown[] | undefined) ?? []).map((value) => JSON.stringify(value)).join(', ')}`
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`
    case 'minLength':
      return `must be at least ${plural(Number(params.limit), 'character')} long`
    case 'maxLength':
      return `must be at most ${plural(Number(params.limit), 'character')} long`
    case 'minimum':
      return `must be at least ${String(params.limit)}`
    case 'maximum':
      return `must be at most ${String(params.limit)}`
    case 'minItems':
      return `must list at least ${plural(Number(params.limit), 'item')}`
    case 'maxItems':
      return `must list at most ${plural(Number(params.limit), 'item')}`
    case 'uniqueItems':
      return 'must not list the same value twice'
    case 'pattern':
      return `must match the pattern ${String(params.pattern)}`
    default:
      return error.message ?? 'is not valid'
  }
}

/** Where a failure is, in the words of a caller: the body's fields, the query's and the path's parameters. */
interface PartWords {
  /** The part as a whole, opening a sentence. */
  whole: string
  /** What one named thing in it is called. */
  member: string
  /** One named thing in it, opening a sentence. */
  subject: (name: string) => string
}
const PART_WORDS: Record<string, PartWords> = {
  body: { whole: 'The request body', member: 'field', subject: (name) => `The field "${name}" in the request body` },
  querystring: { whole: 'The query', member: 'parameter', subject: (name) => `The query parameter "${name}"` },
  params: { whole: 'The path', member: 'parameter', subject: (name) => `The path parameter "${name}"` }
}

/**
 * A schema failure as one sentence naming the field, e.g. 'The field "maxMembers" in the request body must be an
 * integer, not a string.' Values are never echoed (a password may be the field): only their kind, and only for
 * bodies (a query or path value is always text).
 */
export function validationSentence(context: string | undefined, errors: readonly FastifySchemaValidationError[] | undefined): string {
  const part = context ?? 'request'
  const words = PART_WORDS[part] ?? { whole: `The request ${part}`, member: 'field', subject: (name: string) => `The field "${name}" in the request ${part}` }
  // Our compiler is Ajv with `verbose`, so each error also carries the failing data and schema (fastify types it narrower).
  const first = errors?.[0] as ErrorObject | undefined
  if (!first) return `${words.whole} is not valid.`
  const params = first.params as Record<string, unknown>
  const field = fieldName(first.instancePath)

  if (first.keyword === 'required') {
    const missing = String(params.missingProperty)
    return `${words.whole} needs the ${words.member} "${field === '' ? missing : `${field}.${missing}`}".`
  }
  if (first.keyword === 'additionalProperties') {
    const unknown = String(params.additionalProperty)
    const known = Object.keys((first.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {})
    const takes = known.length > 0 ? `this route takes ${known.join(', ')}` : 'this route takes none'
    return `${words.whole} has an unknown ${words.member} "${field === '' ? unknown : `${field}.${unknown}`}" (${takes}).`
  }
  if (field === '' && part === 'body' && first.keyword === 'type') return 'The request body must be a JSON object.'
  const subject = field === '' ? words.whole : words.subject(field)
  return `${subject} ${requirement(first, part === 'body')}.`
}
