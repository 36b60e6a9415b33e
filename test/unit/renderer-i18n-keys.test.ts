// Every key the renderer's code asks for (t('chat.messages'), tr('errors.generic'), labelKey: 'search.window.year1')
// exists as a message in English and Simplified Chinese, and every message compiles: a typo or a key overwritten by
// another would otherwise show the key itself to the user. Keys built at run time are checked by their own tests.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { i18n, localeMessages, SUPPORTED_LOCALES } from '../../src/renderer/src/i18n'

const RENDERER_DIR = join(__dirname, '../../src/renderer/src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name)
    if (statSync(full).isDirectory()) return name === 'locales' ? [] : sourceFiles(full)
    return /\.(ts|vue)$/.test(name) ? [full] : []
  })
}

/** Literal keys in calls of t/tr/te and in *Key properties. */
function keysInSource(): Map<string, string> {
  const keys = new Map<string, string>()
  const pattern = /(?:\b(?:t|tr)\(\s*|[lL]abelKey:\s*|\[\s*\d+,\s*)'([a-z][\w-]*(?:\.[\w-]+)+)'/g
  for (const file of sourceFiles(RENDERER_DIR)) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) keys.set(match[1]!, file.slice(RENDERER_DIR.length + 1))
  }
  return keys
}

function messageAt(locale: (typeof SUPPORTED_LOCALES)[number], key: string): unknown {
  let node: unknown = localeMessages[locale]
  for (const part of key.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined
  return node
}

/** Every message's key in a locale's namespaces ('chat.composer.send', ...). */
function allKeys(node: unknown, prefix = ''): string[] {
  if (typeof node === 'string') return [prefix]
  if (typeof node !== 'object' || node === null) return []
  return Object.entries(node).flatMap(([key, value]) => allKeys(value, prefix ? `${prefix}.${key}` : key))
}

describe('renderer message keys', () => {
  const keys = keysInSource()

  it('finds the keys the code uses', () => {
    expect(keys.size).toBeGreaterThan(300)
  })

  it('has every key the code uses as a message in every language', () => {
    for (const locale of SUPPORTED_LOCALES) {
      const missing = [...keys].filter(([key]) => typeof messageAt(locale, key) !== 'string').map(([key, file]) => `${key} (${file})`)
      expect(missing, locale).toEqual([])
    }
  })

  it('compiles every message in every language', () => {
    for (const locale of SUPPORTED_LOCALES) {
      const broken: string[] = []
      for (const key of allKeys(localeMessages[locale])) {
        try {
          // A message that does not compile (a stray "@" or "|") comes back as its key or throws.
          const text = i18n.global.t(key, {}, { locale })
          if (text === key) broken.push(key)
        } catch {
          broken.push(key)
        }
      }
      expect(broken, locale).toEqual([])
    }
  })
})
