// Failures the core gives as data (a failed message's stored reason, why a session ended) are worded by the renderer
// from their code and params in English and Simplified Chinese: every code and reason the core can emit has a
// sentence in both, a reason a message stored before the upgrade (an English sentence) still reads as its code, once,
// where the store reads it, and the renderer never needs the English wording.
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { APP_ERROR_CODES, FAILURE_REASONS, SIGNED_OUT_CLOSE_REASONS, decodeFailureReason, encodeFailureReason, failureBecause } from '../../src/shared/errors'
import { localeMessages, setLocale } from '../../src/renderer/src/i18n'
import { failedSendSentence, failureSentence } from '../../src/renderer/src/utils/app-error'
import { readFailureReason } from '../../src/main/core/store/failure-reasons'
import { openMessageStore } from '../../src/main/core/store'
import { SEND_GIVE_UP_REASON } from '../../src/main/core/sync/outbox'
import { outgoing, tempDir, type TempDir } from './store-helpers'

function errorsOf(locale: 'en' | 'zh-CN'): Record<string, Record<string, string>> {
  return localeMessages[locale]['errors'] as Record<string, Record<string, string>>
}

let dir: TempDir | null = null
afterEach(() => {
  setLocale('en')
  dir?.remove()
  dir = null
})

describe('failure reasons worded by the renderer', () => {
  it('has a sentence for every reason and every code the core can emit, in English and Simplified Chinese', () => {
    // Every reason a signed-out close can name is one of the reasons worded (the type says so; the list proves it).
    expect(FAILURE_REASONS).toEqual(expect.arrayContaining(Object.values(SIGNED_OUT_CLOSE_REASONS)))
    for (const locale of ['en', 'zh-CN'] as const) {
      const errors = errorsOf(locale)
      expect(FAILURE_REASONS.filter((reason) => typeof errors['reason']?.[reason] !== 'string'), `${locale} reasons`).toEqual([])
      expect(APP_ERROR_CODES.filter((code) => typeof errors['code']?.[code] !== 'string'), `${locale} codes`).toEqual([])
    }
  })

  it('says each reason in Chinese from its code and params, with no English left', () => {
    setLocale('zh-CN')
    for (const reason of FAILURE_REASONS) {
      const sentence = failureSentence(failureBecause('NOT_SIGNED_IN', reason))
      expect(sentence, reason).toBe(errorsOf('zh-CN')['reason']![reason])
      expect(sentence!.replace('Parley', ''), reason).not.toMatch(/[A-Za-z]{3}/)
    }
    expect(failedSendSentence(SEND_GIVE_UP_REASON)).toBe('24 小时内未能发送。点击重试。')
    expect(failedSendSentence({ code: 'MUTED', params: { wire: 'ERROR_MUTED_ALL' } })).toBe('当前只有群主和管理员可以发言。')
    expect(failedSendSentence(null)).toBe(errorsOf('zh-CN')['notSent'] as unknown as string)
  })

  it('stores a reason as a code and reads it back; reads the English sentences of older versions as their code', () => {
    const reason = { code: 'TEXT_TOO_LONG' as const, params: { limit: 5120, wire: 'ERROR_TEXT_TOO_LONG' } }
    expect(decodeFailureReason(encodeFailureReason(reason))).toEqual(reason)
    expect(readFailureReason('Could not send for 24 hours. Tap to try again.')).toEqual(SEND_GIVE_UP_REASON)
    expect(readFailureReason('You are muted here for now.')).toEqual({ code: 'MUTED', params: { wire: 'ERROR_MUTED' } })
    expect(readFailureReason('Upload canceled.')).toEqual(failureBecause('CANCELED', 'uploadCanceled'))
    expect(readFailureReason('Something no version ever said.')).toBeNull()
    expect(readFailureReason(null)).toBeNull()
  })

  it('shows a message that failed before the upgrade (English in its row) with a sentence in Chinese', async () => {
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
    setLocale('zh-CN')
    expect(failedSendSentence(read!.error)).toBe(errorsOf('zh-CN')['wire']!['ERROR_DISSOLVED'])
  })
})
