// A failed message's reason is stored as its code and params (JSON), never a sentence; a row an older version wrote
// holds an English sentence, read back once, where the store reads it, as its code (the renderer words it:
// test/unit/renderer-failure-reasons.test.ts).
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeFailureReason, encodeFailureReason, failureBecause } from '../../src/shared/errors'
import { readFailureReason } from '../../src/main/core/store/failure-reasons'
import { openMessageStore } from '../../src/main/core/store'
import { SEND_GIVE_UP_REASON } from '../../src/main/core/sync/outbox'
import { outgoing, tempDir, type TempDir } from './store-helpers'

let dir: TempDir | null = null
afterEach(() => {
  dir?.remove()
  dir = null
})

describe('failure reasons in the client store', () => {
  it('stores a reason as a code and reads it back; reads the English sentences of older versions as their code', () => {
    const reason = { code: 'TEXT_TOO_LONG' as const, params: { limit: 5120, wire: 'ERROR_TEXT_TOO_LONG' } }
    expect(decodeFailureReason(encodeFailureReason(reason))).toEqual(reason)
    expect(readFailureReason('Could not send for 24 hours. Tap to try again.')).toEqual(SEND_GIVE_UP_REASON)
    expect(readFailureReason('You are muted here for now.')).toEqual({ code: 'MUTED', params: { wire: 'ERROR_MUTED' } })
    expect(readFailureReason('Upload canceled.')).toEqual(failureBecause('CANCELED', 'uploadCanceled'))
    expect(readFailureReason('Something no version ever said.')).toBeNull()
    expect(readFailureReason(null)).toBeNull()
  })

  it('reads a message that failed before the upgrade (English in its row) as its code', async () => {
    dir = tempDir()
    const file = dir.file('account.sqlite')
    const store = await openMessageStore(file)
    const message = outgoing('bob', 'hello')
    await store.addOutgoing(message)
    await store.markFailed(message.id, { code: 'TIMEOUT' })
    await store.close()
    // The row as an older version left it: the reason as its English sentence.
    const db = new Database(file)
    db.prepare('UPDATE messages SET error = ? WHERE id = ?').run('This group was dissolved.', message.id)
    db.close()

    const reopened = await openMessageStore(file)
    const read = await reopened.getMessage(message.id)
    await reopened.close()
    expect(read?.error).toEqual({ code: 'DISSOLVED', params: { wire: 'ERROR_DISSOLVED' } })
  })
})
