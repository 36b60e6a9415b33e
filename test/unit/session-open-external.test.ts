// app.openExternal at the session boundary: only well-formed http, https and mailto links reach the shell's opener
// (Electron: shell.openExternal); anything else is refused before it, and a shell without an opener says so.
import { describe, expect, it } from 'vitest'
import { CoreSession } from '../../src/main/core/api/session'

function sessionWith(openExternal?: (url: string) => Promise<void>): CoreSession {
  return new CoreSession({
    shell: 'electron',
    version: '9.9.9',
    defaultServerUrl: 'http://127.0.0.1:3210',
    deviceId: 'desktop-test',
    dataDir: '/nonexistent/parley-test',
    // Nothing touches the disk: the device's settings stay in memory.
    settingsFile: null,
    ...(openExternal ? { openExternal } : {})
  })
}

describe('app.openExternal', () => {
  it('hands web and mail links to the shell', async () => {
    const opened: string[] = []
    const session = sessionWith(async (url) => {
      opened.push(url)
    })
    for (const url of ['https://example.com/a?b=1', 'http://127.0.0.1:8080/', 'mailto:bob@example.org']) {
      expect(await session.invoke('app.openExternal', { url })).toEqual({ ok: true, result: undefined })
    }
    expect(opened).toEqual(['https://example.com/a?b=1', 'http://127.0.0.1:8080/', 'mailto:bob@example.org'])
  })

  it('refuses every other kind of link before the shell sees it', async () => {
    const opened: string[] = []
    const session = sessionWith(async (url) => {
      opened.push(url)
    })
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'parley-file://x', 'ms-settings:', 'https://', 'example.com']) {
      const reply = await session.invoke('app.openExternal', { url })
      expect(reply.ok, url).toBe(false)
      if (!reply.ok) expect(reply.error.code).toBe('BAD_ARGUMENT')
    }
    expect(opened).toEqual([])
  })

  it('says so in a shell that cannot open links', async () => {
    const reply = await sessionWith().invoke('app.openExternal', { url: 'https://example.com' })
    expect(reply.ok).toBe(false)
    if (!reply.ok) expect(reply.error.message).toBe('This window cannot open links outside the app.')
  })
})
