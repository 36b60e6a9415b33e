// The outbox's two-phase send (sync/outbox.ts `prepare`): the first phase runs before the send and its result is
// what goes out; a transient failure is retried, a permanent one fails the message; cancel stops the phase running
// or fails a message waiting behind it, and the conversation's next message goes on.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChatMessage } from '../../src/shared/model'
import type { ResponseBody } from '../../src/main/core/net/connection'
import { TransferError } from '../../src/main/core/attachments/errors'
import { newOutgoingText } from '../../src/main/core/protocol/messages'
import { openMessageStore } from '../../src/main/core/store'
import type { MessageStore } from '../../src/main/core/store/types'
import { Outbox } from '../../src/main/core/sync/outbox'
import { failureBecause } from '../../src/shared/errors'

const UPLOAD_CANCELED = failureBecause('CANCELED', 'uploadCanceled')

type Ack = ResponseBody<'sendAck'>
const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('outbox two-phase send', () => {
  let store: MessageStore
  let outbox: Outbox
  let sent: ChatMessage[]
  let seq: number
  let prepare: (message: ChatMessage, signal: AbortSignal) => Promise<ChatMessage>

  beforeEach(async () => {
    store = await openMessageStore(':memory:')
    sent = []
    seq = 0
    prepare = async (message) => message
    outbox = new Outbox({
      store,
      send: async (message): Promise<Ack> => {
        sent.push(message)
        seq += 1
        return { clientId: Buffer.from(message.id, 'hex'), serverId: 100 + seq, seq, timestamp: 1_700_000_000_000 + seq }
      },
      prepare: (message, signal) => prepare(message, signal),
      isOnline: () => true,
      onChanged: () => undefined,
      retryBaseMs: 1,
      retryMaxMs: 5
    })
  })

  afterEach(async () => {
    outbox.close()
    await store.close()
  })

  it('sends what the first phase returns, after retrying it through a transient failure', async () => {
    let attempts = 0
    prepare = async (message) => {
      attempts += 1
      if (attempts === 1) throw new TransferError('DISCONNECTED', 'dropped', false)
      return { ...message, content: { type: 'text', text: 'prepared' } }
    }
    const message = await outbox.enqueue(newOutgoingText('alice', { type: 'single', id: 'bob' }, 'raw'))
    await tick(30)
    await outbox.whenIdle()
    expect(attempts).toBe(2)
    expect(sent.map((m) => m.content)).toEqual([{ type: 'text', text: 'prepared' }])
    expect((await store.getMessage(message.id))?.status).toBe('sent')
  })

  it('fails the message on a permanent first-phase error and goes on with the next one', async () => {
    const first = newOutgoingText('alice', { type: 'single', id: 'bob' }, 'too big')
    prepare = async (message) => {
      if (message.id === first.id) throw new TransferError('TOO_LARGE', 'This file is too large to send.', true)
      return message
    }
    await outbox.enqueue(first)
    const second = await outbox.enqueue(newOutgoingText('alice', { type: 'single', id: 'bob' }, 'next'))
    await tick(20)
    await outbox.whenIdle()
    expect(await store.getMessage(first.id)).toMatchObject({ status: 'failed', error: { code: 'TOO_LARGE' } })
    expect(sent.map((m) => m.id)).toEqual([second.id])
  })

  it('cancels the running first phase and a message waiting behind it, with the reason', async () => {
    const head = newOutgoingText('alice', { type: 'single', id: 'bob' }, 'uploading')
    let aborted = false
    prepare = (message, signal) =>
      message.id === head.id
        ? new Promise((_resolve, reject) =>
            signal.addEventListener('abort', () => {
              aborted = true
              reject(new TransferError('CANCELED', 'Upload canceled.', true, { params: { reason: 'uploadCanceled' } }))
            })
          )
        : Promise.resolve(message)
    await outbox.enqueue(head)
    const waiting = await outbox.enqueue(newOutgoingText('alice', { type: 'single', id: 'bob' }, 'waiting'))
    const after = await outbox.enqueue(newOutgoingText('alice', { type: 'single', id: 'bob' }, 'after'))
    await tick()
    expect(await outbox.cancel(waiting.id, UPLOAD_CANCELED)).toBe(true)
    expect(await store.getMessage(waiting.id)).toMatchObject({ status: 'failed', error: UPLOAD_CANCELED })
    expect(await outbox.cancel(head.id, UPLOAD_CANCELED)).toBe(true)
    await tick(20)
    await outbox.whenIdle()
    expect(aborted).toBe(true)
    expect(await store.getMessage(head.id)).toMatchObject({ status: 'failed', error: UPLOAD_CANCELED })
    expect(sent.map((m) => m.id)).toEqual([after.id])
    expect(await outbox.cancel(after.id, UPLOAD_CANCELED)).toBe(false)
    // A canceled attachment message can be sent again.
    prepare = async (message) => message
    await expect(outbox.retry(head.id)).resolves.toMatchObject({ status: 'sending' })
    await tick(20)
    await outbox.whenIdle()
    expect(sent.map((m) => m.id)).toEqual([after.id, head.id])
  })
})
