import { describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadOrCreateDeviceId } from '../../src/main/core/device-id'

describe('device id', () => {
  it('is created once and then kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-device-'))
    try {
      const file = join(dir, 'nested', 'device-id')
      const first = loadOrCreateDeviceId(file)
      expect(first).toMatch(/^desktop-[A-Za-z0-9_-]{12}$/)
      expect(loadOrCreateDeviceId(file)).toBe(first)
      expect(readFileSync(file, 'utf8').trim()).toBe(first)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('replaces a damaged file with a fresh id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-device-'))
    try {
      const file = join(dir, 'device-id')
      writeFileSync(file, '../../etc/passwd')
      expect(loadOrCreateDeviceId(file)).toMatch(/^desktop-/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
