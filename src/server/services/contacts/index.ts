// Owns the contacts rules on the wire: validating ContactsRequest ops, turning store refusals into error codes and
// sentences, pushing the appended ContactEvents to every online device concerned, and the send verdicts
// (blocked / not friends / deleted recipient) the message service asks for each one-to-one send.
import { ErrorCode, encodeFrame } from '../../../shared/proto/codec'
import type { parley } from '../../../shared/proto/gen/parley.js'
import { createLogger } from '../../../shared/logger'
import { canonicalUserId } from '../../../shared/user-id'
import type { AppendedContactEvent, ContactChange, ContactRefusal, MessagingFacts } from '../../store/contacts/types'
import type { ServerStore } from '../../store/types'
import type { ConnectionRef, EventFanout } from '../fanout'
import { FRIEND_REQUEST_MESSAGE_MAX_CHARS, REMARK_MAX_CHARS, SEND_VERDICT_CACHE_PAIRS, type ContactsConfig } from './config'

const log = createLogger('server:contacts')

export type ContactsRequestProps = parley.v1.ContactsRequest.$Properties
export type ContactsResponseProps = parley.v1.ContactsResponse.$Properties

export type Refusal = { ok: false; code: ErrorCode; message: string }
export type ContactsOutcome = { ok: true; response: ContactsResponseProps } | Refusal

export interface ContactsService {
  handle(user: string, request: ContactsRequestProps, origin: ConnectionRef): Promise<ContactsOutcome>
  /** Why `sender` may not send a one-to-one message to `recipient` (null: they may). Notes to self always may. */
  sendRefusal(sender: string, recipient: string): Promise<Refusal | null>
  /** Pushes contact events appended elsewhere (account deletion) and drops the send verdicts they change. */
  publish(events: readonly AppendedContactEvent[], origin?: ConnectionRef): void
  /** Forgets every cached send verdict that involves `user` (account deleted). */
  forgetUser(user: string): void
  /** Another node dropped verdicts (cluster mode): the pair (`b` set), every pair of `a` (`b` null), or all (`a` null). */
  forgetFromElsewhere(a: string | null, b: string | null): void
}

/**
 * How the verdict cache stays true in a cluster (cluster/delivery.ts): every invalidation made here is told to the
 * other nodes, and nothing is cached while their invalidations could not reach this node (the bus is down).
 */
export interface VerdictSharing {
  canCache(): boolean
  forgot(a: string, b: string | null): void
}

function refuse(code: ErrorCode, message: string): Refusal {
  return { ok: false, code, message }
}

/** Characters as people count them (code points), so a nickname in any script gets the same limit. */
export function charCount(text: string): number {
  let count = 0
  for (const _ of text) count++
  return count
}

function refusalAnswer(refusal: ContactRefusal, change: ContactChange): Refusal {
  const peer = change.peer
  switch (refusal) {
    case 'self':
      return refuse(ErrorCode.ERROR_BAD_REQUEST, 'You cannot do this with your own account.')
    case 'no-user':
      return refuse(ErrorCode.ERROR_USER_NOT_FOUND, `There is no user named "${peer}".`)
    case 'deleted-user':
      return refuse(ErrorCode.ERROR_USER_NOT_FOUND, `The account "${peer}" was deleted.`)
    case 'blocked-by-peer':
      return refuse(ErrorCode.ERROR_BLOCKED, `${peer} does not accept friend requests from you.`)
    case 'blocking-peer':
      return refuse(ErrorCode.ERROR_BLOCKED, `You blocked ${peer}; unblock them before sending a friend request.`)
    case 'already-friends':
      return refuse(ErrorCode.ERROR_CONFLICT, `${peer} is already your friend.`)
    case 'already-requested':
      return refuse(ErrorCode.ERROR_CONFLICT, `You already sent ${peer} a friend request; wait for their answer.`)
    case 'no-request':
      return change.op === 'cancel'
        ? refuse(ErrorCode.ERROR_NOT_FOUND, `You have no pending friend request to ${peer}.`)
        : refuse(ErrorCode.ERROR_NOT_FOUND, `There is no pending friend request from ${peer}.`)
    case 'not-friends':
      return refuse(ErrorCode.ERROR_NOT_FRIENDS, `${peer} is not in your contacts.`)
  }
}

/** The change a request asks for, or why it is malformed. Every peer goes through canonicalUserId. */
function parseChange(request: ContactsRequestProps): ContactChange | Refusal | 'list' {
  const peerOf = (raw: string | null | undefined): string | Refusal =>
    canonicalUserId(raw) ?? refuse(ErrorCode.ERROR_USER_NOT_FOUND, `There is no user named "${raw ?? ''}".`)
  if (request.list) return 'list'
  if (request.request) {
    const peer = peerOf(request.request.to)
    if (typeof peer !== 'string') return peer
    const message = request.request.message ?? ''
    if (charCount(message) > FRIEND_REQUEST_MESSAGE_MAX_CHARS) {
      return refuse(ErrorCode.ERROR_TEXT_TOO_LONG, `A friend request's message can be at most ${FRIEND_REQUEST_MESSAGE_MAX_CHARS} characters.`)
    }
    return { op: 'request', peer, message }
  }
  if (request.decide) {
    const peer = peerOf(request.decide.from)
    return typeof peer === 'string' ? { op: 'decide', peer, accept: request.decide.accept === true } : peer
  }
  if (request.cancelRequest) {
    const peer = peerOf(request.cancelRequest.peer)
    return typeof peer === 'string' ? { op: 'cancel', peer } : peer
  }
  if (request.remove) {
    const peer = peerOf(request.remove.peer)
    return typeof peer === 'string' ? { op: 'remove', peer } : peer
  }
  if (request.remark) {
    const peer = peerOf(request.remark.peer)
    if (typeof peer !== 'string') return peer
    const remark = (request.remark.remark ?? '').trim()
    if (charCount(remark) > REMARK_MAX_CHARS) {
      return refuse(ErrorCode.ERROR_TEXT_TOO_LONG, `A remark can be at most ${REMARK_MAX_CHARS} characters.`)
    }
    return { op: 'remark', peer, remark }
  }
  if (request.block) {
    const peer = peerOf(request.block.peer)
    return typeof peer === 'string' ? { op: 'block', peer, blocked: request.block.blocked === true } : peer
  }
  return refuse(ErrorCode.ERROR_BAD_REQUEST, 'The contacts request names no operation.')
}

export function createContactsService(store: ServerStore, fanout: EventFanout, config: ContactsConfig, sharing?: VerdictSharing): ContactsService {
  /**
   * Send verdict facts per "sender\0recipient". `generation` moves on every invalidation: a lookup that started
   * before a change does not cache what it read (it may predate the change).
   */
  const verdicts = new Map<string, MessagingFacts>()
  let generation = 0
  const pairKey = (a: string, b: string): string => `${a}\u0000${b}`

  const dropPair = (a: string, b: string): void => {
    generation++
    verdicts.delete(pairKey(a, b))
    verdicts.delete(pairKey(b, a))
  }

  const dropUser = (user: string): void => {
    generation++
    for (const key of verdicts.keys()) {
      const [a, b] = key.split('\u0000')
      if (a === user || b === user) verdicts.delete(key)
    }
  }

  const forgetPair = (a: string, b: string): void => {
    dropPair(a, b)
    sharing?.forgot(a, b)
  }

  const facts = async (sender: string, recipient: string): Promise<MessagingFacts> => {
    const key = pairKey(sender, recipient)
    const cached = verdicts.get(key)
    if (cached) return cached
    const started = generation
    const read = await store.contactsMessagingFacts(sender, recipient)
    // A missing or deleted recipient is not cached: the name may be registered (again) at any time.
    if (generation === started && read.recipient === 'ok' && (sharing?.canCache() ?? true)) {
      if (verdicts.size >= SEND_VERDICT_CACHE_PAIRS) verdicts.clear()
      verdicts.set(key, read)
    }
    return read
  }

  const publish = (events: readonly AppendedContactEvent[], origin?: ConnectionRef): void => {
    for (const { user, seq, event } of events) {
      if (event.peer) forgetPair(user, event.peer)
      try {
        fanout.deliver(user, () => encodeFrame({ id: 0, event: { seq, contact: event } }), origin)
      } catch (err) {
        log.error('pushing a contact event failed', { user, seq, error: err instanceof Error ? err.message : String(err) })
      }
    }
  }

  return {
    async handle(user, request, origin) {
      const change = parseChange(request)
      if (change === 'list') {
        const list = await store.contactsList(user)
        return {
          ok: true,
          response: {
            list: {
              friends: list.friends,
              incoming: list.incoming,
              outgoing: list.outgoing,
              blocked: list.blocked,
              headSeq: list.headSeq
            }
          }
        }
      }
      if ('ok' in change) return change
      const result = await store.contactsChange(user, change, Date.now())
      if (!result.ok) return refusalAnswer(result.refusal, change)
      forgetPair(user, change.peer)
      // The acting device learns its own entries from the answer (like a send's ack); the others get them pushed.
      const mine = result.events.filter((appended) => appended.user === user)
      publish(result.events, origin)
      log.debug('contacts changed', { user, op: change.op, peer: change.peer, events: result.events.length })
      return { ok: true, response: { done: { eventSeq: mine.at(-1)?.seq ?? 0 } } }
    },

    async sendRefusal(sender, recipient) {
      if (sender === recipient) return null
      const known = await facts(sender, recipient)
      if (known.recipient === 'missing') return refuse(ErrorCode.ERROR_USER_NOT_FOUND, `There is no user named "${recipient}".`)
      if (known.recipient === 'deleted') return refuse(ErrorCode.ERROR_USER_NOT_FOUND, `The account "${recipient}" was deleted.`)
      if (known.blockedByRecipient) return refuse(ErrorCode.ERROR_BLOCKED, `${recipient} does not accept messages from you.`)
      if (!config.allowStrangers && !known.friends) {
        return refuse(ErrorCode.ERROR_NOT_FRIENDS, `You can message ${recipient} once you are friends; send a friend request first.`)
      }
      return null
    },

    publish,

    forgetUser(user) {
      dropUser(user)
      sharing?.forgot(user, null)
    },

    forgetFromElsewhere(a, b) {
      if (a === null) {
        generation++
        verdicts.clear()
      } else if (b === null) dropUser(a)
      else dropPair(a, b)
    }
  }
}
