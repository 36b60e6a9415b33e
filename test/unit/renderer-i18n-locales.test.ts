// The locale files agree: every key in English exists in Simplified Chinese and the other way round, with the same
// {placeholders}, and no Chinese string is left in English. Reads the files as the renderer bundles them.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { detectLocale, groupLocaleFiles } from '../../src/renderer/src/i18n'

const LOCALES_DIR = join(__dirname, '../../src/renderer/src/i18n/locales')

function loadLocale(locale: string): Record<string, unknown> {
  const files: Record<string, unknown> = {}
  for (const name of readdirSync(join(LOCALES_DIR, locale))) {
    files[`./locales/${locale}/${name}`] = { default: JSON.parse(readFileSync(join(LOCALES_DIR, locale, name), 'utf8')) }
  }
  return groupLocaleFiles(files)[locale as 'en' | 'zh-CN']
}

/** Flattens nested messages to 'namespace.key.sub' -> string. */
function flatten(node: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (typeof node === 'string') out.set(prefix, node)
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) flatten(value, prefix ? `${prefix}.${key}` : key, out)
  }
  return out
}

/** The distinct placeholders of a message (a plural repeats {n} in each of its forms; Chinese has one form). */
const placeholders = (text: string): string[] => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort()
/** Strings that are the same in both languages on purpose (names, symbols, units). */
const SAME_IN_BOTH = /^[\s\d\p{P}\p{S}{}\w.@/:-]{0,3}$|^Parley$|^\{\w+\}$/u

describe('locale files', () => {
  const en = flatten(loadLocale('en'))
  const zh = flatten(loadLocale('zh-CN'))

  it('have the same keys in English and Simplified Chinese', () => {
    expect(en.size).toBeGreaterThan(0)
    expect([...en.keys()].filter((key) => !zh.has(key))).toEqual([])
    expect([...zh.keys()].filter((key) => !en.has(key))).toEqual([])
  })

  it('keep the same placeholders in each translation', () => {
    const mismatched = [...en].filter(([key, text]) => zh.has(key) && placeholders(text).join() !== placeholders(zh.get(key)!).join())
    expect(mismatched.map(([key]) => key)).toEqual([])
  })

  it('leave no Chinese string in English', () => {
    // Placeholders are names for values, not words: "{state} · {status}" and "Parley {version}" are the same in both.
    const words = (text: string): string => text.replace(/\{\w+\}/g, '').trim()
    const untranslated = [...en].filter(([key, text]) => zh.get(key) === text && !SAME_IN_BOTH.test(words(text)) && /[A-Za-z]{3}/.test(words(text)))
    expect(untranslated.map(([key]) => key)).toEqual([])
  })
})

describe('detectLocale', () => {
  it('picks Simplified Chinese for any Chinese system language and English otherwise', () => {
    expect(detectLocale(['zh-CN'])).toBe('zh-CN')
    expect(detectLocale(['zh-TW', 'en'])).toBe('zh-CN')
    expect(detectLocale(['de-DE', 'en-GB'])).toBe('en')
    expect(detectLocale(['fr'])).toBe('en')
    expect(detectLocale([])).toBe('en')
  })
})
