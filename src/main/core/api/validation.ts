// Owns the boundary check of invoke arguments: method lookup and zod validation against invokeSchemas,
// turning schema failures into one readable sentence (an AppError BAD_ARGUMENT / UNKNOWN_METHOD).
import type { z } from 'zod'
import { AppError } from '../../../shared/errors'
import { invokeSchemas, type InvokeArgsOf, type InvokeMethod } from '../../../shared/ipc/schemas'

export function isInvokeMethod(method: unknown): method is InvokeMethod {
  return typeof method === 'string' && Object.prototype.hasOwnProperty.call(invokeSchemas, method)
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? `"${issue.path.map(String).join('.')}"` : 'the arguments'
  return `${where}: ${issue.message}`
}

/** Parses raw arguments for a method; throws AppError with a sentence naming the first bad field. */
export function parseInvokeArgs<M extends InvokeMethod>(method: M, rawArgs: unknown): InvokeArgsOf<M> {
  // JSON and structured clone both turn a missing argument into null or undefined; treat them alike.
  const args = rawArgs === null ? undefined : rawArgs
  // TS cannot correlate the indexed schema with M's inferred type; invokeSchemas is the source of both.
  const schema = invokeSchemas[method] as unknown as z.ZodType<InvokeArgsOf<M>>
  const parsed = schema.safeParse(args)
  if (parsed.success) return parsed.data
  const first = parsed.error.issues[0]
  const detail = first ? describeIssue(first) : 'they are not valid'
  throw new AppError('BAD_ARGUMENT', `Invalid arguments for ${method}: ${detail}.`)
}

export function unknownMethodError(method: unknown): AppError {
  const name = typeof method === 'string' ? method.slice(0, 64) : typeof method
  return new AppError('UNKNOWN_METHOD', `"${name}" is not something Parley knows how to do.`)
}
