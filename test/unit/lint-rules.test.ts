// Guards the architecture rule in eslint.config.ts: Electron may not be imported by the core, server or host.
import { describe, expect, it } from 'vitest'
import { ESLint } from 'eslint'

const source = "import { app } from 'electron'\nexport const name = app.getName()\n"

async function restrictedImportErrors(filePath: string): Promise<number> {
  const eslint = new ESLint({ cwd: process.cwd() })
  const [result] = await eslint.lintText(source, { filePath })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').length
}

describe('lint: Electron-free core', () => {
  it.each(['src/main/core/example.ts', 'src/server/example.ts', 'src/host/example.ts'])('forbids electron in %s', async (file) => {
    expect(await restrictedImportErrors(file)).toBe(1)
  })

  it('allows electron in the Electron shell', async () => {
    expect(await restrictedImportErrors('src/main/window/example.ts')).toBe(0)
  })
}, 60_000)
