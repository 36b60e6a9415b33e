// Runtime schemas for every invoke method's arguments: the one place a boundary (Electron main,
// browser host) validates what a renderer sends. Types in contract.ts are inferred from these.
import { z } from 'zod'
import { MAX_USERNAME_CHARS, SERVER_URL_PATTERN } from '../limits'

const username = z.string().trim().min(1).max(MAX_USERNAME_CHARS)
const serverUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((u) => SERVER_URL_PATTERN.test(u), 'Server address must look like http://host:port')

// 5 KB is the protocol limit in bytes; the core checks bytes, this guards absurd sizes early.
const MAX_MESSAGE_TEXT_CHARS = 20_000
const messageText = z.string().min(1).max(MAX_MESSAGE_TEXT_CHARS)

/**
 * A conversation as the renderer names it: chat type + id (the peer's user id, or a group / room id). The core
 * puts the id in its canonical form; group and room ids are server-made and at most 64 characters too.
 */
export const conversationSchema = z.object({
  type: z.enum(['single', 'group', 'room']),
  id: z.string().trim().min(1).max(MAX_USERNAME_CHARS)
})

export const credentialsSchema = z.object({
  serverUrl: serverUrl.optional(),
  username,
  password: z.string().min(1).max(256)
})

export const invokeSchemas = {
  'app.info': z.void(),
  'auth.register': credentialsSchema,
  'auth.login': credentialsSchema,
  'auth.logout': z.void(),
  'auth.session': z.void(),
  'connection.status': z.void(),
  'conversations.list': z.void(),
  // uptoSeq: read up to this message (the newest one the user has seen); none: the whole conversation.
  'conversations.markRead': z.object({ conversation: conversationSchema, uptoSeq: z.number().int().nonnegative().optional() }),
  // The conversation the user is looking at (window focused, newest messages in view), or null for none:
  // only there do arriving messages count as read at once.
  'conversations.setActive': z.object({ conversation: conversationSchema.nullable() }),
  // '' clears the draft.
  'drafts.set': z.object({ conversation: conversationSchema, text: z.string().max(MAX_MESSAGE_TEXT_CHARS) }),
  'users.lookup': z.object({ username }),
  'app.diagnostics': z.void(),
  'messages.page': z.object({
    conversation: conversationSchema,
    beforeSeq: z.number().int().nonnegative().nullable().optional(),
    limit: z.number().int().min(1).max(200).optional()
  }),
  'messages.sendText': z.object({ to: conversationSchema, text: messageText }),
  'messages.retry': z.object({ messageId: z.string().regex(/^[0-9a-f]{32}$/) })
} as const

export type InvokeMethod = keyof typeof invokeSchemas
export type InvokeArgsOf<M extends InvokeMethod> = z.infer<(typeof invokeSchemas)[M]>
