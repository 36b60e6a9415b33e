// Every error code the core and the server can send has a sentence in English and Simplified Chinese, and the
// renderer builds the sentence from the code and its params (never from the core's English message). The lists of
// codes come from the code itself: the protocol's ErrorCode enum and shared/errors.ts APP_ERROR_CODES. Errors arrive
// as the core's ProtocolError crosses IPC: { code, message, params: { wire, retryAfterSec? } } (protocol-errors-params
// checks the core side).
import { afterEach, describe, expect, it } from 'vitest'
import { AppError, APP_ERROR_CODES } from '../../src/shared/errors'
import { ErrorCode } from '../../src/shared/proto/codec'
import { localeMessages, setLocale } from '../../src/renderer/src/i18n'
import { errorSentence, failedSendSentence, translateCoreSentence } from '../../src/renderer/src/utils/app-error'

/** A wire error as it reaches the renderer over IPC (what ProtocolError.toJSON gives). */
function wireError(code: string, wire: keyof typeof ErrorCode, message = 'server words', retryAfterSec?: number): unknown {
  return { code, message, params: { wire, ...(retryAfterSec ? { retryAfterSec } : {}) } }
}

/** The enum's names (protobufjs enums map both ways: keep the names). */
const WIRE_CODE_NAMES = Object.keys(ErrorCode).filter((name) => Number.isNaN(Number(name)))

function errorsOf(locale: 'en' | 'zh-CN'): Record<string, Record<string, string>> {
  return localeMessages[locale]['errors'] as Record<string, Record<string, string>>
}

afterEach(() => setLocale('en'))

describe('error sentences in every language', () => {
  it('has a sentence for every protocol ErrorCode in English and Simplified Chinese', () => {
    expect(WIRE_CODE_NAMES.length).toBeGreaterThan(30)
    for (const locale of ['en', 'zh-CN'] as const) {
      const missing = WIRE_CODE_NAMES.filter((name) => typeof errorsOf(locale)['wire']?.[name] !== 'string')
      expect(missing, locale).toEqual([])
    }
  })

  it('has a sentence for every AppError code in English and Simplified Chinese', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const missing = APP_ERROR_CODES.filter((code) => typeof errorsOf(locale)['code']?.[code] !== 'string')
      expect(missing, locale).toEqual([])
    }
  })

  it('says a wire error in Chinese from its wire code, never in the core English', () => {
    setLocale('zh-CN')
    // MUTED_ALL and MUTED share the AppError code MUTED: the wire code tells them apart.
    expect(errorSentence(wireError('MUTED', 'ERROR_MUTED_ALL', 'Only admins may post.'))).toBe('当前只有群主和管理员可以发言。')
    expect(errorSentence(wireError('MUTED', 'ERROR_MUTED'))).toBe('你在这里暂时被禁言了。')
    for (const name of WIRE_CODE_NAMES) {
      const sentence = errorSentence(wireError('SERVER_ERROR', name as keyof typeof ErrorCode))
      expect(sentence.replace('Parley', ''), name).not.toMatch(/[A-Za-z]{3}/)
    }
  })

  it('fills params (seconds, limits, sizes) in the locale, and falls back to a generic sentence for an unknown code', () => {
    setLocale('zh-CN')
    expect(errorSentence({ code: 'RATE_LIMITED', message: 'x', params: { retryAfterSec: 30 } })).toBe('尝试次数过多，请在 30 秒后重试。')
    expect(errorSentence({ code: 'TEXT_TOO_LONG', message: 'x', params: { limit: 5120 } })).toBe('这条消息太长了：上限为 5120 字节，请删减一些。')
    expect(errorSentence({ code: 'TOO_LARGE', message: 'x', params: { limitBytes: 100 * 1024 * 1024 } })).toBe('文件太大，无法发送：上限为 100 MB。')
    expect(errorSentence({ code: 'USER_NOT_FOUND', message: 'There is no user named zed.', params: { user: 'zed' } })).toBe('不存在名为 zed 的用户。')
    // A reason the core adds to a code (contacts say which side blocked) picks the more precise sentence.
    expect(errorSentence({ code: 'BLOCKED', message: 'x', params: { user: 'bob', reason: 'contactBlockedByMe' } })).toBe('你已屏蔽 bob，请先解除屏蔽。')
    expect(errorSentence({ code: 'SOMETHING_NEW', message: 'A sentence from a newer core.' })).toBe('出了点问题，请重试。')
    expect(errorSentence(new Error('socket hang up'))).toBe('出了点问题，请重试。')
    expect(errorSentence(wireError('SERVER_ERROR', 'ERROR_RATE_LIMITED', 'slow down', 5))).toBe('请求过于频繁，正在放慢速度。')
  })

  it('keeps English for English readers, and translates sentences the core persisted as text', () => {
    expect(errorSentence(wireError('MUTED', 'ERROR_MUTED_ALL', ''))).toBe('Only the owner and admins can send here right now.')
    expect(errorSentence(new AppError('NOT_FOUND', 'A sentence this renderer has never seen.'))).toBe('That no longer exists.')
    expect(errorSentence(new AppError('NOT_FOUND', 'There is no such transfer.'))).toBe('There is no such transfer.')
    setLocale('zh-CN')
    expect(translateCoreSentence('That user does not exist.')).toBe('该用户不存在。')
    expect(translateCoreSentence('Could not send for 24 hours. Tap to try again.')).toBe('24 小时内未能发送。点击重试。')
    expect(translateCoreSentence('Some sentence nobody knows.')).toBeNull()
    // A failed message keeps its reason as a code: worded, with the mute's end when the group knows it.
    const muted = { code: 'MUTED' as const, params: { wire: 'ERROR_MUTED' } }
    expect(failedSendSentence(muted)).toBe('你在这里暂时被禁言了。')
    const until = new Date(2099, 0, 2, 9, 30).getTime()
    expect(failedSendSentence(muted, until)).toBe('你在这里被禁言至 2099年1月2日 09:30。')
    expect(failedSendSentence(null)).toBe('此消息未发送。')
    expect(errorSentence(new AppError('NOT_FOUND', 'There is no such transfer.'))).toBe('没有这个传输。')
  })
})
