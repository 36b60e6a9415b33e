// Device settings that reach into a signed-in session, through CoreSession and the real engine and server: the
// auto-download size is read as each image arrives (0 = never, then a larger size downloads by itself), and the
// storage section's sizes and "Clear cache" (with progress) act on the account's real files.
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { CoreSession } from '../../src/main/core/api/session'
import { ChatClient } from '../../src/main/core/client'
import type { InvokeReply, PushEventName, StorageUsage } from '../../src/shared/ipc/contract'
import type { ChatMessage, TransferEvent } from '../../src/shared/model'
import { FAST_TIMINGS, makeTempDir, registerUsers, removeDir, TEST_PASSWORD, uniqueUser, useServerAndDevices, waitFor } from './helpers/env'

/** A 1x1 PNG: a small image, well under any auto-download size but 0. */
const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64'
)

function resultOf<T>(reply: InvokeReply): T {
  if (!reply.ok) throw new Error(`refused: ${reply.error.code} ${reply.error.message}`)
  return reply.result as T
}

async function sendImage(client: ChatClient, to: string): Promise<string> {
  const { stagedId } = await client.attachments.stageBegin({ name: 'dot.png', mime: 'image/png', size: TINY_PNG.length })
  await client.attachments.stageChunk({ stagedId, offset: 0, bytes: TINY_PNG })
  await client.attachments.stageEnd(stagedId)
  return (await client.sendAttachment({ conversation: to, kind: 'image', stagedId })).id
}

describe('settings in a signed-in session', () => {
  const { server } = useServerAndDevices()
  const cleanup: Array<() => Promise<void> | void> = []
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step()
  })

  it('downloads images by themselves only up to the chosen size, then measures and clears the cache', async () => {
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const aliceDir = makeTempDir()
    const a = new ChatClient({ serverUrl: server.url, deviceId: `a-${randomUUID()}`, dataDir: aliceDir, platform: 'desktop', timings: FAST_TIMINGS })
    const bobDir = makeTempDir()
    const session = new CoreSession({
      shell: 'browser',
      version: 'test',
      defaultServerUrl: server.url,
      deviceId: `web-${randomUUID()}`,
      dataDir: bobDir,
      fileUrl: (messageId, which) => `/files/tab/${messageId}/${which}`
    })
    cleanup.push(
      async () => {
        await a.close()
        removeDir(aliceDir)
      },
      async () => {
        await session.dispose()
        removeDir(bobDir)
      }
    )
    const transfers: TransferEvent[] = []
    const arrived = new Set<string>()
    const progress: Array<{ done: number; total: number }> = []
    session.onEvent((event: PushEventName, payload: unknown) => {
      if (event === 'transfer') transfers.push(payload as TransferEvent)
      if (event === 'message.upsert') {
        const message = payload as ChatMessage
        if (message.content.type === 'image' && message.content.file.id !== '') arrived.add(message.id)
      }
      if (event === 'settings.clearCacheProgress') progress.push(payload as { done: number; total: number })
    })

    resultOf(await session.invoke('settings.update', { downloads: { autoDownloadMaxBytes: 0 } }))
    resultOf(await session.invoke('auth.login', { username: bob, password: TEST_PASSWORD }))
    await a.login(alice, TEST_PASSWORD)

    const first = await sendImage(a, bob)
    await waitFor('the first image to arrive', () => arrived.has(first), 60_000)
    resultOf(await session.invoke('settings.update', { downloads: { autoDownloadMaxBytes: 1024 * 1024 } }))
    const second = await sendImage(a, bob)
    await waitFor('the second image to download by itself', () => transfers.some((t) => t.transferId === `down:${second}:file` && t.state === 'done'), 60_000)
    // Messages are handled in order: the first came while the size was 0, so its file never started.
    const known = resultOf<TransferEvent[]>(await session.invoke('attachments.transfers', undefined))
    expect(known.some((t) => t.transferId === `down:${first}:file`)).toBe(false)
    expect(transfers.some((t) => t.transferId === `down:${first}:file`)).toBe(false)

    const usage = resultOf<StorageUsage>(await session.invoke('settings.storage', undefined))
    expect(usage.databaseBytes).toBeGreaterThan(0)
    expect(usage.cacheBytes).toBeGreaterThanOrEqual(TINY_PNG.length)
    const cachedUrl = resultOf<{ url: string | null }>(await session.invoke('attachments.fileUrl', { messageId: second, which: 'file' }))
    expect(cachedUrl.url).not.toBeNull()
    const cachedPath = (await session.cachedFile(second, 'file'))?.path ?? ''
    expect(existsSync(cachedPath)).toBe(true)

    const after = resultOf<StorageUsage>(await session.invoke('settings.clearCache', undefined))
    expect(after.cacheBytes).toBe(0)
    expect(existsSync(cachedPath)).toBe(false)
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.at(-1)).toEqual({ done: progress.at(-1)!.total, total: progress.at(-1)!.total })
    expect(resultOf<{ url: string | null }>(await session.invoke('attachments.fileUrl', { messageId: second, which: 'file' })).url).toBeNull()
    // A reloaded view does not get the removed file's URL from the transfers either.
    const afterClear = resultOf<TransferEvent[]>(await session.invoke('attachments.transfers', undefined))
    expect(afterClear.some((t) => t.transferId === `down:${second}:file` && t.state === 'done')).toBe(false)
    // Downloading again brings it back.
    resultOf(await session.invoke('attachments.download', { messageId: second, which: 'file' }))
    await waitFor('the download again', async () => (await session.cachedFile(second, 'file')) !== null, 60_000)
  })
})
