// Owns the decision whether a message raises a notification and what it carries: window focus x open conversation
// x do not disturb (app-wide and per conversation) x mentions x settings x who sent it x what it is. The answer is
// codes and parameters; the renderer turns them into words in the current locale, the shell shows them.
import type { ChatMessage, ChatType, Conversation, ConversationKey } from '../model/messages'
import { conversationKeyString, sameConversation } from '../model/messages'
import type { NotificationContent, NotificationSettings } from '../model/settings'
import { canonicalUserId } from '../user-id'
import { isMuted } from './dnd'

/**
 * Messages older than this when they reach the device (a catch-up after a night offline, a new device's first
 * sync) are not announced one by one: the badge and the list show them. Ten minutes covers a laptop lid closed for
 * a coffee and a slow reconnect, not a day's backlog.
 */
export const NOTIFY_MAX_AGE_MS = 10 * 60 * 1000
/** The longest text preview a notification carries (OS notification bodies show ~2-4 lines anyway). */
export const NOTIFY_PREVIEW_MAX_CHARS = 200

/** What the notification shows of the message (the renderer words each kind). */
export type NotificationPreview =
  | { kind: 'text'; text: string }
  | { kind: 'image' | 'voice' | 'video' | 'location' | 'custom' | 'combined' | 'unsupported' }
  | { kind: 'file'; name: string }

export interface NotificationPayload {
  conversation: ConversationKey
  chatType: ChatType
  /** One notification per conversation: a newer one replaces the one shown ('<type>:<id>'). */
  tag: string
  /** What the user chose to show. */
  content: NotificationContent
  /** The sender's id (content 'nothing': ''); the renderer shows their name. */
  sender: string
  /** The conversation's name (a group's name, a contact's remark); null = the id. */
  conversationTitle: string | null
  /** null unless content is 'senderAndText'. */
  preview: NotificationPreview | null
  /** The message mentions me ('me') or everyone ('all'). */
  mention: 'me' | 'all' | null
  /** No sound (settings.sound off). */
  silent: boolean
  /** The message's client id (a click may scroll to it). */
  messageId: string
}

export type NotificationSkip =
  | 'fromMe' // I sent it (from this or another of my devices)
  | 'notAMessage' // recalled, a command, a system notice: nothing to read
  | 'disabled' // the global switch is off
  | 'appDnd' // app-wide do not disturb
  | 'alreadyRead' // read on another device before it reached this one
  | 'watching' // the window has focus and this conversation is open
  | 'room' // chat rooms are live chatter: they never notify
  | 'muted' // the conversation is on do not disturb (and no mention lets it through)
  | 'stale' // an old message from a catch-up

export type NotificationDecision = { notify: true; payload: NotificationPayload } | { notify: false; skip: NotificationSkip }

export interface NotificationInput {
  message: ChatMessage
  /** The conversation as the list has it (mutedUntil, title, readSeq); null when the list has not got it yet. */
  conversation: Pick<Conversation, 'title' | 'readSeq' | 'mutedUntil'> | null
  /** The signed-in account (canonical id). */
  me: string
  windowFocused: boolean
  /** The conversation open in the window (whether or not the window has focus). */
  openConversation: ConversationKey | null
  settings: NotificationSettings
  /** App-wide do not disturb until (ms since epoch); 0 = off. */
  appDndUntil: number
  now: number
}

function keyOf(message: ChatMessage): ConversationKey {
  return { type: message.chatType, id: message.conversationId }
}

function mentionOf(message: ChatMessage, me: string): 'me' | 'all' | null {
  if (message.content.type !== 'text') return null
  if (message.content.mentions?.some((user) => canonicalUserId(user) === me)) return 'me'
  return message.content.mentionAll ? 'all' : null
}

function previewOf(message: ChatMessage): NotificationPreview {
  const content = message.content
  switch (content.type) {
    case 'text':
      return { kind: 'text', text: content.text.length > NOTIFY_PREVIEW_MAX_CHARS ? `${content.text.slice(0, NOTIFY_PREVIEW_MAX_CHARS)}…` : content.text }
    case 'file':
      return { kind: 'file', name: content.file.name }
    case 'image':
    case 'voice':
    case 'video':
    case 'location':
    case 'custom':
    case 'combined':
      return { kind: content.type }
    default:
      return { kind: 'unsupported' }
  }
}

/** Whether the content is something a person wrote (not a recall, a command, or a group's system notice). */
function isReadable(message: ChatMessage): boolean {
  const type = message.content.type
  return type !== 'recalled' && type !== 'command' && type !== 'notice'
}

/** The decision table, in the order its rules apply (the first that matches says no). */
export function decideNotification(input: NotificationInput): NotificationDecision {
  const { message, conversation, me, settings, now } = input
  const skip = (reason: NotificationSkip): NotificationDecision => ({ notify: false, skip: reason })
  if (message.direction === 'out' || canonicalUserId(message.from) === me) return skip('fromMe')
  if (!isReadable(message)) return skip('notAMessage')
  if (!settings.enabled) return skip('disabled')
  if (isMuted(input.appDndUntil, now)) return skip('appDnd')
  if (message.seq !== null && conversation && message.seq <= conversation.readSeq) return skip('alreadyRead')
  const key = keyOf(message)
  if (input.windowFocused && sameConversation(input.openConversation, key)) return skip('watching')
  if (message.chatType === 'room') return skip('room')
  const mention = mentionOf(message, me)
  if (isMuted(conversation?.mutedUntil, now) && !(mention && settings.mentionsInMuted)) return skip('muted')
  if (now - message.timestamp > NOTIFY_MAX_AGE_MS) return skip('stale')
  const showSender = settings.content !== 'nothing'
  return {
    notify: true,
    payload: {
      conversation: key,
      chatType: message.chatType,
      tag: conversationKeyString(key),
      content: settings.content,
      sender: showSender ? message.from : '',
      conversationTitle: showSender ? (conversation?.title ?? null) : null,
      preview: settings.content === 'senderAndText' ? previewOf(message) : null,
      mention: showSender ? mention : null,
      silent: !settings.sound,
      messageId: message.id
    }
  }
}
