// The core session forwards the renderer's notifications and badge status to the shell's hooks (Electron), checking
// the arguments first, and does nothing without hooks (the browser host, whose page shows its own).
import { describe, expect, it } from 'vitest'
import { CoreSession } from '../../src/main/core/api/session'
import type { NotificationStatus, ShellNotification } from '../../src/main/core/notifications/handlers'

function session(hooks?: { shown: ShellNotification[]; statuses: NotificationStatus[] }): CoreSession {
  return new CoreSession({
    shell: hooks ? 'electron' : 'browser',
    version: 'test',
    defaultServerUrl: 'http://127.0.0.1:3210',
    deviceId: 'device-1',
    dataDir: '/nonexistent',
    ...(hooks ? { notificationHooks: { show: (n) => hooks.shown.push(n), status: (s) => hooks.statuses.push(s) } } : {})
  })
}

describe('notifications through the core session', () => {
  it('forwards a notification (conversation canonical) and the badge status to the shell', async () => {
    const hooks = { shown: [] as ShellNotification[], statuses: [] as NotificationStatus[] }
    const core = session(hooks)
    const shown = await core.invoke('notifications.show', {
      conversation: { type: 'single', id: ' Bob ' },
      tag: 'single:bob',
      title: 'Bob',
      body: 'hi',
      silent: true
    })
    expect(shown).toEqual({ ok: true, result: undefined })
    expect(hooks.shown).toEqual([{ conversation: { type: 'single', id: 'bob' }, tag: 'single:bob', title: 'Bob', body: 'hi', silent: true }])
    expect(await core.invoke('notifications.status', { unread: 3, appDndUntil: 0 })).toEqual({ ok: true, result: undefined })
    expect(hooks.statuses).toEqual([{ unread: 3, appDndUntil: 0 }])
  })

  it('refuses bad arguments before the shell sees them', async () => {
    const hooks = { shown: [] as ShellNotification[], statuses: [] as NotificationStatus[] }
    const core = session(hooks)
    const bad = await core.invoke('notifications.status', { unread: -1, appDndUntil: 0 })
    expect(bad.ok).toBe(false)
    const noTag = await core.invoke('notifications.show', { conversation: { type: 'single', id: 'bob' }, tag: '', title: '', body: '', silent: false })
    expect(noTag.ok).toBe(false)
    expect(hooks.shown).toEqual([])
    expect(hooks.statuses).toEqual([])
  })

  it('answers without doing anything where the shell has no hooks', async () => {
    expect(await session().invoke('notifications.status', { unread: 1, appDndUntil: 0 })).toEqual({ ok: true, result: undefined })
  })
})
