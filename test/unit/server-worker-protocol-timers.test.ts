// The SQLite worker's message packing carries a message's self-destruct timers both ways: the burn timer and a given
// expiry to the worker, and the expiry the store stamped (the conversation's disappearing timer) back to the caller.
import { describe, expect, it } from 'vitest'
import { compactResults, expandResults, packMessages, unpackMessages } from '../../src/server/store/worker-protocol'
import type { AppendResult, NewMessage } from '../../src/server/store/types'

function message(text: string, extra: Partial<NewMessage> = {}): NewMessage {
  return {
    sender: 'alice',
    clientId: new Uint8Array(16).fill(text.length),
    recipient: 'bob',
    chatType: 0,
    timestamp: 1_000,
    body: new TextEncoder().encode(text),
    ...extra
  }
}

describe('worker protocol: self-destruct timers', () => {
  it('packs the burn timer and a given expiry to the worker', () => {
    const inputs = [message('plain'), message('burn', { burnAfterReadSec: 10 }), message('expiring', { expiresAt: 5_000 })]
    const unpacked = unpackMessages(packMessages(inputs))
    expect(unpacked.map((m) => [m.burnAfterReadSec, m.expiresAt])).toEqual([
      [undefined, undefined],
      [10, undefined],
      [undefined, 5_000]
    ])
  })

  it('brings back the expiry the store stamped on a message', () => {
    const inputs = [message('kept'), message('disappearing')]
    const results: AppendResult[] = [
      { message: { ...inputs[0]!, serverId: 1, senderSeq: 1 }, duplicate: false, recipientSeq: 1 },
      { message: { ...inputs[1]!, serverId: 2, senderSeq: 2, expiresAt: 61_000 }, duplicate: false, recipientSeq: 2 }
    ]
    const expanded = expandResults(inputs, compactResults(results, inputs))
    expect(expanded.map((r) => r.message.expiresAt)).toEqual([undefined, 61_000])
    expect(expanded[1]?.message.body).toEqual(inputs[1]?.body)
  })
})
