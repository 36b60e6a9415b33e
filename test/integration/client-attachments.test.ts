// Attachments end to end against the real server: a file staged, uploaded and sent, then downloaded on the other
// device with its SHA-256 checked; a download cut mid-way resumes by Range; a client SIGKILLed mid-upload finishes
// after a restart; the cache keeps under its cap (least recently used evicted); a small image downloads by itself.
import { fork } from 'node:child_process'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { ChatClient } from '../../src/main/core/client'
import type { ChatClientOptions } from '../../src/main/core/types'
import type { ChatMessage, TransferEvent } from '../../src/shared/model'
import { CuttingProxy } from '../support/cutting-proxy'
import { FAST_TIMINGS, localHistory, makeTempDir, registerUsers, removeDir, TEST_PASSWORD, uniqueUser, useServerAndDevices, waitFor } from './helpers/env'

const MiB = 1024 * 1024
const STAGE_CHUNK = MiB
/** A 1x1 PNG (what a small pasted image is, as far as the server's thumbnailer and the auto-download care). */
const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64'
)

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

async function stage(client: ChatClient, bytes: Uint8Array, name: string, mime: string): Promise<string> {
  const { stagedId } = await client.attachments.stageBegin({ name, mime, size: bytes.length })
  for (let offset = 0; offset < bytes.length; offset += STAGE_CHUNK) {
    await client.attachments.stageChunk({ stagedId, offset, bytes: bytes.subarray(offset, offset + STAGE_CHUNK) })
  }
  await client.attachments.stageEnd(stagedId)
  return stagedId
}

/** Records a client's transfer events. */
function recordTransfers(client: ChatClient): TransferEvent[] {
  const events: TransferEvent[] = []
  client.on('transfer', (event) => events.push(event))
  return events
}

async function receivedWithFile(client: ChatClient, peer: string, id: string): Promise<ChatMessage> {
  let found: ChatMessage | undefined
  await waitFor(`message ${id} with its file on ${client.deviceId}`, async () => {
    found = (await localHistory(client, peer)).find((m) => m.id === id)
    return found !== undefined && 'file' in found.content && found.content.file.id !== ''
  })
  return found!
}

async function sentOnSender(client: ChatClient, peer: string, id: string): Promise<ChatMessage> {
  let found: ChatMessage | undefined
  await waitFor(`message ${id} sent`, async () => {
    found = (await localHistory(client, peer)).find((m) => m.id === id)
    if (found?.status === 'failed') throw new Error(`the message failed: ${found.error}`)
    return found?.status === 'sent'
  }, 60_000)
  return found!
}

async function downloaded(client: ChatClient, messageId: string, which: 'file' | 'thumbnail' = 'file'): Promise<Buffer> {
  await waitFor(`download of ${messageId}/${which}`, async () => {
    const event = client.attachments.list().find((e) => e.transferId === `down:${messageId}:${which}`)
    if (event?.state === 'failed') throw new Error(`the download failed: ${event.error}`)
    return event?.state === 'done'
  }, 60_000)
  const file = await client.attachments.cachedFile(messageId, which)
  expect(file, 'the cached file').not.toBeNull()
  return readFileSync(file!.path)
}

describe('attachments', () => {
  const { server } = useServerAndDevices()
  const cleanup: Array<() => Promise<void> | void> = []
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step()
  })

  function client(label: string, extra: Partial<ChatClientOptions> = {}): ChatClient {
    const dataDir = makeTempDir()
    const made = new ChatClient({
      serverUrl: server.url,
      deviceId: `${label}-${randomUUID()}`,
      dataDir,
      platform: 'desktop',
      timings: FAST_TIMINGS,
      fileUrl: (messageId, which) => `parley-file://cache/${messageId}/${which}`,
      downloadRetryBaseMs: 20,
      ...extra
    })
    cleanup.push(async () => {
      await made.close()
      removeDir(dataDir)
    })
    return made
  }

  async function pair(bobOptions: Partial<ChatClientOptions> = {}): Promise<{ alice: string; bob: string; a: ChatClient; b: ChatClient }> {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = client('a')
    const b = client('b', bobOptions)
    await a.login(alice, TEST_PASSWORD)
    await b.login(bob, TEST_PASSWORD)
    return { alice, bob, a, b }
  }

  it('uploads a file, sends it, and the other device downloads it with its checksum verified', async () => {
    const { alice, bob, a, b } = await pair()
    const bytes = randomBytes(3 * MiB + 123)
    const aTransfers = recordTransfers(a)
    const bTransfers = recordTransfers(b)
    const stagedId = await stage(a, bytes, 'report.bin', 'application/octet-stream')
    const stored = await a.sendAttachment({ conversation: bob, kind: 'file', stagedId })
    expect(stored.status).toBe('sending')
    expect(stored.content).toMatchObject({ type: 'file', file: { id: '', name: 'report.bin', size: bytes.length, sha256: sha256(bytes) } })

    const sent = await sentOnSender(a, bob, stored.id)
    expect(sent.content.type === 'file' && sent.content.file.id).toBeTruthy()
    // Once acked, the staged file becomes the sender's cached copy, and the upload's last event carries its URL.
    await waitFor('the upload to end with the cached copy', () => aTransfers.some((e) => e.transferId === `up:${stored.id}:file` && e.url !== null))
    const uploads = aTransfers.filter((e) => e.transferId === `up:${stored.id}:file`)
    expect(uploads.map((e) => e.state)).toContain('running')
    expect(uploads.at(-1)).toMatchObject({ state: 'done', transferred: bytes.length, total: bytes.length, url: `parley-file://cache/${stored.id}/file` })
    // The sender keeps its own copy in its cache (no download for it).
    expect(readFileSync((await a.attachments.cachedFile(stored.id, 'file'))!.path).equals(bytes)).toBe(true)

    const received = await receivedWithFile(b, alice, stored.id)
    expect(received.content).toMatchObject({ type: 'file', file: { name: 'report.bin', size: bytes.length, sha256: sha256(bytes) } })
    expect(await a.attachments.fileUrl(stored.id)).not.toBeNull()
    expect(await b.attachments.fileUrl(stored.id)).toBeNull()
    await b.attachments.download(stored.id)
    const copy = await downloaded(b, stored.id)
    expect(sha256(copy)).toBe(sha256(bytes))
    const downloads = bTransfers.filter((e) => e.transferId === `down:${stored.id}:file`)
    expect(downloads.at(-1)).toMatchObject({ state: 'done', transferred: bytes.length, url: `parley-file://cache/${stored.id}/file` })
    expect(await b.attachments.fileUrl(stored.id)).toBe(`parley-file://cache/${stored.id}/file`)
  })

  it('streams an upload in one PATCH (the server fsyncs once before it answers), and the bytes arrive whole', async () => {
    const proxy = await CuttingProxy.start(Number(new URL(server.url).port))
    cleanup.push(() => proxy.close())
    const { alice, bob, a, b } = await pair()
    const sender = client('a-proxied', { serverUrl: proxy.url })
    await sender.login(alice, TEST_PASSWORD)
    await a.close()
    const bytes = randomBytes(12 * MiB + 5)
    const stored = await sender.sendAttachment({ conversation: bob, kind: 'file', stagedId: await stage(sender, bytes, 'big.bin', 'application/octet-stream') })
    await sentOnSender(sender, bob, stored.id)
    const patches = proxy.requests.filter((head) => head.startsWith('PATCH /attachments/uploads/'))
    expect(patches).toHaveLength(1)
    expect(Number(/\r\ncontent-length: (\d+)/i.exec(patches[0] ?? '')?.[1])).toBe(bytes.length)
    await receivedWithFile(b, alice, stored.id)
    await b.attachments.download(stored.id)
    expect(sha256(await downloaded(b, stored.id))).toBe(sha256(bytes))
  })

  it('sends a file to a group; a member downloads it and it is verified', async () => {
    const { alice, bob, a, b } = await pair()
    const { group } = await a.groups.create({
      name: 'Files', description: '', settings: { isPublic: false, joinNeedsApproval: false, inviteNeedsConsent: false, maxMembers: 10 }, members: [bob]
    })
    await waitFor('bob to be a member', async () => (await b.groups.local(group))?.state === 'member')
    const bytes = randomBytes(MiB + 5)
    const conversation = { type: 'group' as const, id: group }
    const stored = await a.sendAttachment({ conversation, kind: 'file', stagedId: await stage(a, bytes, 'minutes.bin', 'application/octet-stream') })
    let received: ChatMessage | undefined
    await waitFor('the group file on bob', async () => {
      received = (await b.pageLocal(conversation, null, 50)).messages.find((m) => m.id === stored.id)
      return received?.content.type === 'file' && received.content.file.id !== ''
    })
    expect(received).toMatchObject({ from: alice, direction: 'in', content: { file: { sha256: sha256(bytes) } } })
    await b.attachments.download(stored.id)
    expect(sha256(await downloaded(b, stored.id))).toBe(sha256(bytes))
  })

  it('resumes a download cut half way by Range, and the checksum matches', async () => {
    const proxy = await CuttingProxy.start(Number(new URL(server.url).port))
    cleanup.push(() => proxy.close())
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = client('a')
    const b = client('b', { serverUrl: proxy.url })
    await a.login(alice, TEST_PASSWORD)
    await b.login(bob, TEST_PASSWORD)
    const bytes = randomBytes(4 * MiB)
    const stored = await a.sendAttachment({ conversation: bob, kind: 'file', stagedId: await stage(a, bytes, 'cut.bin', 'application/octet-stream') })
    await receivedWithFile(b, alice, stored.id)

    proxy.cutNext({ request: /^GET \/attachments\/[^/\s]+ /, afterBytes: 2 * MiB })
    await b.attachments.download(stored.id)
    const copy = await downloaded(b, stored.id)
    expect(sha256(copy)).toBe(sha256(bytes))
    expect(proxy.cuts).toBe(1)
    const gets = proxy.requests.filter((r) => /^GET \/attachments\//.test(r))
    expect(gets.length).toBe(2)
    // The second request asked only for what was missing, and the whole download cost about one file.
    const range = /\r\nrange: bytes=(\d+)-\r\n/i.exec(gets[1]! + '\r\n')
    expect(range, gets[1]).not.toBeNull()
    expect(Number(range![1])).toBeGreaterThan(MiB)
    expect(proxy.downloadBytes).toBeLessThan(bytes.length + 256 * 1024)
  })

  it('finishes an upload after the client is SIGKILLed mid-way and started again on the same data folder', async () => {
    const proxy = await CuttingProxy.start(Number(new URL(server.url).port))
    cleanup.push(() => proxy.close())
    // 16 MiB at 8 MiB/s: the child is killed once more than 10 MiB went out (the server keeps what arrived), well before the end.
    proxy.throttleUploads(8 * MiB)
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const b = client('b')
    await b.login(bob, TEST_PASSWORD)
    const dataDir = makeTempDir()
    cleanup.push(() => removeDir(dataDir))
    const bytes = randomBytes(16 * MiB)
    const filePath = join(dataDir, 'source.bin')
    writeFileSync(filePath, bytes)
    const deviceId = `child-${randomUUID()}`
    const childScript = fileURLToPath(new URL('./helpers/attachment-child.ts', import.meta.url))
    const child = fork(childScript, [JSON.stringify({ serverUrl: proxy.url, dataDir, deviceId, user: alice, password: TEST_PASSWORD, to: bob, filePath })], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    cleanup.push(() => void child.kill('SIGKILL'))
    let credentials: ChatClient['credentials'] = null
    let messageId = ''
    let uploadedBeforeKill = 0
    await new Promise<void>((resolve, reject) => {
      child.on('message', (raw) => {
        const message = raw as { kind: string; credentials?: ChatClient['credentials']; event?: TransferEvent; messageId?: string; error?: string }
        if (message.kind === 'credentials') credentials = message.credentials ?? null
        if (message.kind === 'stored') messageId = message.messageId ?? ''
        if (message.kind === 'error') reject(new Error(message.error))
        if (message.kind === 'transfer' && message.event?.direction === 'upload') {
          messageId ||= message.event.messageId
          if (message.event.state === 'done') reject(new Error('the upload finished before the kill'))
          if (message.event.transferred > 10 * MiB && child.exitCode === null) {
            uploadedBeforeKill = message.event.transferred
            child.kill('SIGKILL')
            resolve()
          }
        }
      })
      child.on('exit', () => resolve())
    })
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)))
    expect(child.signalCode).toBe('SIGKILL')
    expect(uploadedBeforeKill).toBeGreaterThan(10 * MiB)
    expect(messageId).toMatch(/^[0-9a-f]{32}$/)

    // The same data folder, a new process's worth of client: it resumes the saved session and the outbox.
    proxy.throttleUploads(0)
    const headsBeforeRestart = proxy.requests.length
    const restarted = client('a2', { serverUrl: proxy.url, deviceId, dataDir })
    const events = recordTransfers(restarted)
    await restarted.resume(credentials!)
    const sent = await sentOnSender(restarted, bob, messageId)
    expect(sent.content.type === 'file' && sent.content.file.id).toBeTruthy()
    // It went on from what the server had (HEAD), not from the start: what went on the wire after the restart.
    const afterRestart = proxy.requests.slice(headsBeforeRestart)
    expect(afterRestart.some((head) => head.startsWith('HEAD /attachments/uploads/'))).toBe(true)
    expect(afterRestart.some((head) => head.startsWith('POST /attachments/uploads '))).toBe(false)
    const firstPatch = afterRestart.find((head) => head.startsWith('PATCH /attachments/uploads/'))
    expect(Number(/\r\nupload-offset: (\d+)/i.exec(firstPatch ?? '')?.[1])).toBeGreaterThanOrEqual(8 * MiB)
    expect(events.some((e) => e.transferId === `up:${messageId}:file` && e.state === 'done')).toBe(true)

    await receivedWithFile(b, alice, messageId)
    await b.attachments.download(messageId)
    expect(sha256(await downloaded(b, messageId))).toBe(sha256(bytes))
  })

  it('keeps the cache under its cap by evicting the least recently used file', async () => {
    const { alice, bob, a, b } = await pair({ attachmentCacheBytes: Math.floor(2.5 * MiB) })
    const files = [randomBytes(MiB), randomBytes(MiB), randomBytes(MiB)]
    const ids: string[] = []
    for (const [i, bytes] of files.entries()) {
      const stored = await a.sendAttachment({ conversation: bob, kind: 'file', stagedId: await stage(a, bytes, `f${i}.bin`, 'application/octet-stream') })
      ids.push(stored.id)
      await receivedWithFile(b, alice, stored.id)
    }
    await b.attachments.download(ids[0]!)
    await downloaded(b, ids[0]!)
    await b.attachments.download(ids[1]!)
    const second = await b.attachments.cachedFile(ids[1]!, 'file').then(() => downloaded(b, ids[1]!))
    expect(second.length).toBe(MiB)
    // The first file is used again (shown), so the second is now the least recently used.
    await new Promise((resolve) => setTimeout(resolve, 5))
    const firstPath = (await b.attachments.cachedFile(ids[0]!, 'file'))!.path
    const secondPath = (await b.attachments.cachedFile(ids[1]!, 'file'))!.path
    await new Promise((resolve) => setTimeout(resolve, 5))
    await b.attachments.cachedFile(ids[0]!, 'file')
    await b.attachments.download(ids[2]!)
    await downloaded(b, ids[2]!)
    expect(await b.attachments.cachedFile(ids[1]!, 'file')).toBeNull()
    expect(existsSync(secondPath)).toBe(false)
    expect(existsSync(firstPath)).toBe(true)
    expect(await b.attachments.fileUrl(ids[0]!)).not.toBeNull()
    expect(await b.attachments.fileUrl(ids[2]!)).not.toBeNull()
  })

  it('downloads a small image (and its thumbnail) as soon as it arrives', async () => {
    const { alice, bob, a, b } = await pair()
    const events = recordTransfers(b)
    // No dimensions given: the server's measure of the image fills them.
    const stored = await a.sendAttachment({ conversation: bob, kind: 'image', stagedId: await stage(a, TINY_PNG, 'dot.png', 'image/png') })
    const received = await receivedWithFile(b, alice, stored.id)
    expect(received.content).toMatchObject({ type: 'image', width: 1, height: 1, file: { mime: 'image/png' } })
    await waitFor('the image to download by itself', () => events.some((e) => e.transferId === `down:${stored.id}:file` && e.state === 'done'))
    expect(sha256(readFileSync((await b.attachments.cachedFile(stored.id, 'file'))!.path))).toBe(sha256(TINY_PNG))
    if (received.content.type === 'image' && received.content.file.hasThumbnail) {
      await waitFor('the thumbnail to download by itself', () => events.some((e) => e.transferId === `down:${stored.id}:thumbnail` && e.state === 'done'))
    }
    // A file that is not an image waits for the user.
    const other = await a.sendAttachment({ conversation: bob, kind: 'file', stagedId: await stage(a, randomBytes(1000), 'x.bin', 'application/octet-stream') })
    await receivedWithFile(b, alice, other.id)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(events.some((e) => e.messageId === other.id)).toBe(false)
  })

  it('cancels an upload: the message fails with a sentence and can be sent again', async () => {
    const proxy = await CuttingProxy.start(Number(new URL(server.url).port))
    cleanup.push(() => proxy.close())
    proxy.throttleUploads(2 * MiB)
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = client('a', { serverUrl: proxy.url })
    const b = client('b')
    await a.login(alice, TEST_PASSWORD)
    await b.login(bob, TEST_PASSWORD)
    const events = recordTransfers(a)
    const bytes = randomBytes(8 * MiB)
    const stored = await a.sendAttachment({ conversation: bob, kind: 'file', stagedId: await stage(a, bytes, 'slow.bin', 'application/octet-stream') })
    await waitFor('the upload to start', () => events.some((e) => e.messageId === stored.id && e.state === 'running' && e.transferred > 0))
    await a.attachments.cancel(`up:${stored.id}:file`)
    await waitFor('the message to fail', async () => (await localHistory(a, bob)).find((m) => m.id === stored.id)?.status === 'failed')
    const failed = (await localHistory(a, bob)).find((m) => m.id === stored.id)!
    expect(failed.error).toEqual({ code: 'CANCELED', params: { reason: 'uploadCanceled' } })
    expect(events.at(-1)).toMatchObject({ transferId: `up:${stored.id}:file`, state: 'canceled' })

    proxy.throttleUploads(0)
    await a.retry(stored.id)
    await sentOnSender(a, bob, stored.id)
    await receivedWithFile(b, alice, stored.id)
    await b.attachments.download(stored.id)
    expect(sha256(await downloaded(b, stored.id))).toBe(sha256(bytes))
  })
})
