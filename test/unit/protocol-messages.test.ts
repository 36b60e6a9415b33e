// Unit tests for the wire envelope of a message (src/main/core/protocol/messages.ts): user ids are canonical
// (canonicalUserId) where the client core reads them off the wire, so whose message it is, its direction and its
// conversation never depend on how the sender or recipient was spelled.
import { describe, expect, it } from 'vitest'
import { ChatTypePb } from '../../src/shared/proto/codec'
import { envelopeFromWire, type WireMessage } from '../../src/main/core/protocol/messages'

const ME = 'alice'
const CLIENT_ID = new Uint8Array(16).fill(7)

function wire(from: string, to: string, chatType: number = ChatTypePb.CHAT_TYPE_SINGLE): WireMessage {
  return { clientId: CLIENT_ID, serverId: 5, from, to, chatType, timestamp: 1_000 }
}

describe('message envelope from the wire', () => {
  it('an own message spelled in capitals is outgoing, in the conversation with the canonical peer', () => {
    expect(envelopeFromWire(wire(' Alice ', 'BOB'), 3, ME)).toMatchObject({
      from: 'alice',
      to: 'bob',
      conversationId: 'bob',
      direction: 'out',
      status: 'sent',
      seq: 3
    })
  })

  it('a message from the peer spelled in capitals is incoming, in the conversation with the canonical peer', () => {
    expect(envelopeFromWire(wire('Bob', 'ALICE'), 4, ME)).toMatchObject({
      from: 'bob',
      to: 'alice',
      conversationId: 'bob',
      direction: 'in',
      status: 'received'
    })
  })

  it('the signed-in id itself may be given in any spelling', () => {
    expect(envelopeFromWire(wire('alice', 'bob'), 1, 'Alice')?.direction).toBe('out')
  })

  it('a group message keeps the group id and has a canonical sender', () => {
    expect(envelopeFromWire(wire('Bob', 'g123', ChatTypePb.CHAT_TYPE_GROUP), 9, ME)).toMatchObject({
      from: 'bob',
      to: 'g123',
      conversationId: 'g123',
      chatType: 'group',
      direction: 'in'
    })
  })

  it('is null for a sender or recipient that is no user id, or a client id of the wrong size', () => {
    expect(envelopeFromWire(wire('not a user!', 'bob'), 1, ME)).toBeNull()
    expect(envelopeFromWire(wire('bob', ''), 1, ME)).toBeNull()
    expect(envelopeFromWire({ ...wire('bob', 'alice'), clientId: new Uint8Array(8) }, 1, ME)).toBeNull()
  })
})
