// Failures the core gives as data (a failed message's stored reason, why a session ended) are worded by the renderer
// from their code and params in English and Simplified Chinese: every code and reason the core can emit has a
// sentence in both, and the renderer never needs the English wording (test/unit/failure-reasons.test.ts: the store).
import { afterEach, describe, expect, it } from 'vitest'
import { APP_ERROR_CODES, FAILURE_REASONS, SIGNED_OUT_CLOSE_REASONS, failureBecause } from '../../src/shared/errors'
import { localeMessages, setLocale } from '../../src/renderer/src/i18n'
import { failedSendSentence, failureSentence } from '../../src/renderer/src/utils/app-error'

function errorsOf(locale: 'en' | 'zh-CN'): Record<string, Record<string, string>> {
  return localeMessages[locale]['errors'] as Record<string, Record<string, string>>
}

afterEach(() => setLocale('en'))

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
    expect(failedSendSentence(failureBecause('TIMEOUT', 'giveUp'))).toBe('24 小时内未能发送。点击重试。')
    expect(failedSendSentence({ code: 'MUTED', params: { wire: 'ERROR_MUTED_ALL' } })).toBe('当前只有群主和管理员可以发言。')
    expect(failedSendSentence(null)).toBe(errorsOf('zh-CN')['notSent'] as unknown as string)
  })


  it('words the reason the store reads from a row an older version wrote (English) in Chinese', () => {
    setLocale('zh-CN')
    expect(failedSendSentence({ code: 'DISSOLVED', params: { wire: 'ERROR_DISSOLVED' } })).toBe(errorsOf('zh-CN')['wire']!['ERROR_DISSOLVED'])
  })
})
