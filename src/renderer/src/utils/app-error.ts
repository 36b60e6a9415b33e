// Turns whatever a bridge call rejected with into the sentence shown to the user, in the user's language: built from
// the error's code, its wire code (params.wire) and its params, from the errors namespace of the locale files. The
// core's own English message is never shown. A failed message's reason and why a session ended arrive as a
// FailureReason (code and params) and are worded the same way; a sentence the core still pushes as text (the
// connection's state, a transfer's error) is recognised by its English wording, else a generic sentence stands in.
import { AppError, type AppErrorParams, type FailureReason } from '../../../shared/errors'
import { FALLBACK_LOCALE, localeMessages } from '../i18n'
import { intlLocale, tr } from '../i18n/translate'
import { formatFileSize } from '../features/messages/content-summary'
import { formatFullTimestamp } from './time-format'

const PLACEHOLDER = /\{(\w+)\}/g

/** The English text of a key ('errors.code.MUTED'), or null when there is none; placeholders agree across locales. */
function englishText(key: string): string | null {
  let node: unknown = localeMessages[FALLBACK_LOCALE]
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return null
    node = (node as Record<string, unknown>)[part]
  }
  return typeof node === 'string' ? node : null
}

/** Fills a template; null when one of its placeholders has no param. */
export function fillTemplate(template: string, params: AppErrorParams | undefined): string | null {
  let complete = true
  const sentence = template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = params?.[name]
    if (value === undefined) {
      complete = false
      return ''
    }
    return String(value)
  })
  return complete ? sentence : null
}

/**
 * Params as the sentence shows them: sizes in KB/MB, instants as dates, other numbers as the locale writes them,
 * grouped from five digits on ("5120 bytes", "100,000 members"), as sentences write limits.
 */
function shownParams(params: AppErrorParams): Record<string, string> {
  const shown: Record<string, string> = {}
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string') shown[name] = value
    else if (/Bytes$/.test(name)) shown[name] = formatFileSize(value)
    else if (/(Until|At)$/.test(name)) shown[name] = formatFullTimestamp(value)
    else shown[name] = new Intl.NumberFormat(intlLocale(), { useGrouping: 'min2' }).format(value)
  }
  return shown
}

/** The translation of `key` with `params`, or null when the key is unknown or one of its placeholders has no param. */
function sentenceFor(key: string, params: AppErrorParams): string | null {
  const template = englishText(key)
  if (template === null || fillTemplate(template, params) === null) return null
  return tr(key, shownParams(params))
}

let knownKeys: Map<string, string> | null = null

/** English sentence -> key, for every errors.* sentence without placeholders. */
function knownSentenceKeys(): Map<string, string> {
  if (knownKeys) return knownKeys
  knownKeys = new Map()
  const walk = (node: unknown, path: string): void => {
    if (typeof node === 'string') {
      if (!PLACEHOLDER.test(node) && !knownKeys!.has(node)) knownKeys!.set(node, path)
      PLACEHOLDER.lastIndex = 0
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) walk(value, `${path}.${key}`)
    }
  }
  walk((localeMessages[FALLBACK_LOCALE] as Record<string, unknown>)['errors'], 'errors')
  return knownKeys
}

/**
 * A sentence the core sent as English text (a failed message's reason, a session's end, the connection's state),
 * in the user's language; null when the text is not one the renderer knows (the caller says something generic).
 */
export function translateCoreSentence(text: string | null | undefined): string | null {
  if (!text) return null
  const key = knownSentenceKeys().get(text.trim())
  return key ? tr(key) : null
}

/** A failure the core gives as data (a failed message, the end of a session) in the user's language; null for none. */
export function failureSentence(reason: FailureReason | null | undefined): string | null {
  if (!reason) return null
  return errorSentence({ code: reason.code, message: '', params: reason.params ?? {} })
}

/**
 * Why a message failed, from the reason the core stored with it: in the user's language, with the end of a mute
 * when the group says when it ends (the stored reason does not carry it); "not sent" when there is no reason.
 */
export function failedSendSentence(reason: FailureReason | null, mutedUntil = 0): string {
  if (!reason) return tr('errors.notSent')
  const muted = reason.code === 'MUTED' && reason.params?.['wire'] !== 'ERROR_MUTED_ALL'
  if (muted && mutedUntil > Date.now()) return tr('errors.detail.MUTED', shownParams({ mutedUntil }))
  return failureSentence(reason) ?? tr('errors.notSent')
}

export function errorSentence(err: unknown): string {
  const error = AppError.from(err)
  const params = error.params ?? {}
  const keys = [
    typeof params['reason'] === 'string' ? `errors.reason.${params['reason']}` : null,
    `errors.detail.${error.code}`,
    typeof params['wire'] === 'string' ? `errors.wire.${params['wire']}` : null
  ]
  for (const key of keys) {
    const sentence = key === null ? null : sentenceFor(key, params)
    if (sentence !== null) return sentence
  }
  return translateCoreSentence(error.message) ?? sentenceFor(`errors.code.${error.code}`, params) ?? tr('errors.generic')
}
