// Owns how the renderer names a conversation: one string '<type>:<id>' (conversationKeyString) for Map keys,
// props and routes, turned back into the bridge's { type, id } only at the bridge call.
import {
  conversationKeyString,
  parseConversationKeyString,
  type ChatMessage,
  type Conversation,
  type ConversationKey
} from '../../../shared/model'

/** 'single:bob', 'group:k3x9…': the renderer's identity of a conversation. */
export type ConversationKeyString = string

export function keyOfConversation(conversation: Pick<Conversation, 'id' | 'chatType'>): ConversationKeyString {
  return conversationKeyString({ type: conversation.chatType, id: conversation.id })
}

export function keyOfMessage(message: Pick<ChatMessage, 'conversationId' | 'chatType'>): ConversationKeyString {
  return conversationKeyString({ type: message.chatType, id: message.conversationId })
}

/** The bridge's form of a key string; only keys made by the functions above reach it. */
export function toConversationKey(key: ConversationKeyString): ConversationKey {
  const parsed = parseConversationKeyString(key)
  if (!parsed) throw new Error(`Not a conversation key: ${key}`)
  return parsed
}
