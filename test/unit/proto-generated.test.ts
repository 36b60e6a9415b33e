// The generated protocol module must match src/shared/proto/*.proto: regenerate into a temp dir and compare.
import { describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

describe('generated protocol code', () => {
  it('is up to date with the .proto files (run `npm run gen:proto`)', () => {
    const out = mkdtempSync(join(tmpdir(), 'parley-proto-'))
    try {
      execFileSync(process.execPath, ['build/scripts/gen-proto.mjs', '--out', out], { stdio: 'pipe' })
      for (const file of ['parley.js', 'parley.d.ts']) {
        const fresh = readFileSync(join(out, file), 'utf8')
        const committed = readFileSync(join('src/shared/proto/gen', file), 'utf8')
        expect(committed, `${file} differs from a fresh generation`).toBe(fresh)
      }
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  }, 60_000)
})
