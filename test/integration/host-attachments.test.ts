// Attachments through the browser host with the real engine and server: a tab stages a file over the bridge socket
// (bytes as base64 objects), sends it; the other tab downloads it and loads it from the host's /files route, which
// answers only with the host's token, only that tab's cached files, with Range, and media inline only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash, randomBytes } from 'node:crypto'
import type { RunningHost } from '../../src/host/index'
import type { ChatMessage, SaveAsResult, TransferEvent } from '../../src/shared/model'
import { HostTab } from './helpers/host-tab'
import { startHostWithServer, type HostWithServer } from './helpers/host-with-server'

const MiB = 1024 * 1024
let host: RunningHost
const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`

async function stageOverBridge(tab: HostTab, bytes: Buffer, name: string, mime: string): Promise<string> {
  const staged = await tab.stage(bytes, name, mime)
  expect({ size: staged.size, sha256: staged.sha256 }).toEqual({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') })
  return staged.stagedId
}

let running: HostWithServer | null = null
beforeAll(async () => {
  running = await startHostWithServer()
  host = running.host
})

afterAll(async () => {
  await running?.close()
})

describe('attachments in the browser host', () => {
  it('stages over the bridge, sends, and serves the downloaded file from the token-guarded route', async () => {
    const aliceTab = await HostTab.open(host, `alice-tab-${suffix}`)
    const bobTab = await HostTab.open(host, `bob-tab-${suffix}`)
    for (const [tab, user] of [[aliceTab, alice], [bobTab, bob]] as const) {
      await tab.call('auth.register', { username: user, password: 'password-1' })
      await tab.call('auth.login', { username: user, password: 'password-1' })
    }
    const bytes = randomBytes(2 * MiB + 7)
    const stagedId = await stageOverBridge(aliceTab, bytes, 'clip.mp4', 'video/mp4')
    // Chunks out of order are refused with a sentence.
    const other = await aliceTab.call<{ stagedId: string }>('attachments.stageBegin', { name: 'x.bin', mime: '', size: 10 })
    const outOfOrder = await aliceTab.invokeWithBytes('attachments.stageChunk', { stagedId: other.stagedId, offset: 5, bytes: new Uint8Array(5) })
    expect(outOfOrder).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } })

    const sent = await aliceTab.call<ChatMessage>('messages.sendAttachment', { conversation: { type: 'single', id: bob }, kind: 'video', stagedId, durationMs: 1000, width: 4, height: 4 })
    expect(sent).toMatchObject({ status: 'sending', content: { type: 'video', file: { id: '', name: 'clip.mp4' } } })
    const uploaded = await aliceTab.event<TransferEvent>('transfer', (e) => e.messageId === sent.id && e.direction === 'upload' && e.state === 'done' && e.url !== null)
    expect(uploaded.url).toBe(`/files/alice-tab-${suffix}/${sent.id}/file?token=${host.token}`)

    await bobTab.event<ChatMessage>('message.upsert', (m) => m.id === sent.id && m.content.type === 'video' && m.content.file.id !== '')
    const started = await bobTab.call<TransferEvent>('attachments.download', { messageId: sent.id })
    expect(started).toMatchObject({ transferId: `down:${sent.id}:file`, direction: 'download' })
    const done = await bobTab.event<TransferEvent>('transfer', (e) => e.transferId === started.transferId && e.state === 'done')
    expect(done.url).toBe(`/files/bob-tab-${suffix}/${sent.id}/file?token=${host.token}`)
    expect(await bobTab.call('attachments.fileUrl', { messageId: sent.id })).toEqual({ url: done.url })

    const base = `http://127.0.0.1:${host.port}`
    const whole = await fetch(base + done.url!)
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-type')).toBe('video/mp4')
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true)
    const part = await fetch(base + done.url!, { headers: { Range: 'bytes=100-199' } })
    expect(part.status).toBe(206)
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true)
    // No token, a wrong token, another tab's files: refused.
    expect((await fetch(`${base}/files/bob-tab-${suffix}/${sent.id}/file`)).status).toBe(403)
    expect((await fetch(`${base}/files/bob-tab-${suffix}/${sent.id}/file?token=${'0'.repeat(64)}`)).status).toBe(403)
    expect((await fetch(`${base}/files/nobody-tab-${suffix}/${sent.id}/file?token=${host.token}`)).status).toBe(404)
    expect((await fetch(`${base}/files/bob-tab-${suffix}/${sent.id}/../../x?token=${host.token}`)).status).toBe(404)

    // Save as: a URL the browser downloads; open: only in the desktop app.
    const saved = await bobTab.call<SaveAsResult>('attachments.saveAs', { messageId: sent.id })
    expect(saved.savedTo).toBeNull()
    const download = await fetch(base + saved.downloadUrl!)
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="clip\.mp4"/)
    expect(await bobTab.invoke('attachments.open', { messageId: sent.id })).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } })
  })

  it('serves a file that is not media as a download, never as a page', async () => {
    const aliceTab = await HostTab.open(host, `alice-tab-${suffix}`)
    const page = Buffer.from('<!doctype html><script>alert(1)</script>')
    const stagedId = await stageOverBridge(aliceTab, page, 'evil.html', 'text/html')
    const sent = await aliceTab.call<ChatMessage>('messages.sendAttachment', { conversation: { type: 'single', id: bob }, kind: 'file', stagedId })
    const uploaded = await aliceTab.event<TransferEvent>('transfer', (e) => e.messageId === sent.id && e.state === 'done' && e.url !== null)
    const res = await fetch(`http://127.0.0.1:${host.port}${uploaded.url!}`)
    expect(res.headers.get('content-type')).toBe('application/octet-stream')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
  })
})
