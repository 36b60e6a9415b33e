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
  'conversations.markRead': z.object({ conversationId: username, uptoSeq: z.number().int().nonnegative().optional() }),
  // The conversation the user is looking at (window focused, newest messages in view), or null for none:
  // only there do arriving messages count as read at once.
  'conversations.setActive': z.object({ conversationId: username.nullable() }),
  // '' clears the draft.
  'drafts.set': z.object({ conversationId: username, text: z.string().max(MAX_MESSAGE_TEXT_CHARS) }),
  'users.lookup': z.object({ username }),
  'app.diagnostics': z.void(),
  'messages.page': z.object({
    conversationId: username,
    beforeSeq: z.number().int().nonnegative().nullable().optional(),
    limit: z.number().int().min(1).max(200).optional()
  }),
  'messages.sendText': z.object({ to: username, text: messageText }),
  'messages.retry': z.object({ messageId: z.string().regex(/^[0-9a-f]{32}$/) })
} as const

export type InvokeMethod = keyof typeof invokeSchemas
export type InvokeArgsOf<M extends InvokeMethod> = z.infer<(typeof invokeSchemas)[M]>
