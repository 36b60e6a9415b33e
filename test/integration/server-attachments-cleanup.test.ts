// Attachment clean-up against the real server on port 0: a recalled or expired message's attachment is deleted (row
// and bytes) once no live message names it; a forwarded copy or a second message keeps it; a finished upload never
// sent goes after the grace period. Checked through HTTP and the ServerHandle, never by opening the server's SQLite.
import crypto from 'node:crypto'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatTypePb, type DecodedFrame } from '../../src/shared/proto/codec'
import type { parley } from '../../src/shared/proto/gen/parley.js'
import { DEFAULT_ATTACHMENT_GRACE_HOURS } from '../../src/server/services/attachments/config'
import { FrameClient, randomClientId, registerAndLogin, type Login } from '../bench/lib/frame-client'
import { download, upload, type AttachmentJson } from '../support/attachment-http'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

const SINGLE = ChatTypePb.CHAT_TYPE_SINGLE
type BodyProps = parley.v1.Body.$Properties

let t: TestServer
const logins = new Map<string, Login>()
const devices = new Map<string, FrameClient>()

async function login(name: string): Promise<Login> {
  let found = logins.get(name)
  if (!found) {
    found = await registerAndLogin(t.server.url, name)
    logins.set(name, found)
  }
  return found
}

async function device(name: string): Promise<FrameClient> {
  let client = devices.get(name)
  if (!client) {
    client = await FrameClient.onDevice(t.server.url, await login(name), `${name}-device`)
    devices.set(name, client)
  }
  return client
}

async function sendOk(from: string, to: string, body: BodyProps): Promise<number> {
  const reply: DecodedFrame = await (await device(from)).request({ send: { clientId: randomClientId(), to, chatType: SINGLE, body } })
  if (!reply.sendAck) throw new Error(`expected an ack, got ${JSON.stringify(reply.error)}`)
  return Number(reply.sendAck.serverId)
}

async function recallOk(by: string, conversation: string, serverId: number): Promise<void> {
  const reply = await (await device(by)).request({ recall: { conversation, chatType: SINGLE, serverId } })
  if (!reply.recallOk) throw new Error(`expected the recall to pass, got ${JSON.stringify(reply.error)}`)
}

async function status(id: string, as: string): Promise<number> {
  return (await download(t.server.url, id, { token: (await login(as)).token })).status
}

async function image(name: string): Promise<AttachmentJson> {
  const bytes = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 120, b: 200 } } }).png().toBuffer()
  return upload(t.server.url, (await login('alice')).token, bytes, name, 'image/png')
}

beforeAll(async () => {
  t = await startTestServer()
  for (const name of ['alice', 'bob', 'carol', 'dave']) await device(name)
})

afterAll(async () => {
  for (const client of devices.values()) client.close()
  await t.dispose()
})

describe('attachment clean-up', () => {
  it('a recalled message\'s attachment is gone after the collection: 404 for everyone, bytes and thumbnail deleted', async () => {
    const attachment = await image('recalled.png')
    expect(attachment.hasThumbnail).toBe(true)
    const serverId = await sendOk('alice', 'bob', { image: { file: { id: attachment.id } } })
    expect(await status(attachment.id, 'bob')).toBe(200)
    await recallOk('alice', 'bob', serverId)
    await t.server.collectAttachments()
    expect(await status(attachment.id, 'bob')).toBe(404)
    expect(await status(attachment.id, 'alice')).toBe(404)
    expect((await download(t.server.url, attachment.id, { secret: attachment.secret })).status).toBe(404)
    expect(await t.server.attachmentBytesPresent(attachment.id)).toEqual({ file: false, thumbnail: false })
  })

  it('a recall deletes the attachment at once, without waiting for the periodic collection', async () => {
    const attachment = await image('recalled-now.png')
    const serverId = await sendOk('alice', 'bob', { image: { file: { id: attachment.id } } })
    expect(await status(attachment.id, 'bob')).toBe(200)
    await recallOk('alice', 'bob', serverId)
    // No collectAttachments() here: the recall's release alone deletes row and bytes (the scan runs every 10 minutes).
    await expect.poll(() => t.server.attachmentBytesPresent(attachment.id), { timeout: 5_000, interval: 50 }).toEqual({ file: false, thumbnail: false })
    expect(await status(attachment.id, 'bob')).toBe(404)
  })

  it('a forwarded copy keeps the bytes after the original is recalled', async () => {
    const attachment = await image('forwarded.png')
    const original = await sendOk('alice', 'bob', { image: { file: { id: attachment.id } } })
    await sendOk('bob', 'carol', { image: { file: { id: attachment.id } }, forwarded: true })
    await recallOk('alice', 'bob', original)
    await t.server.collectAttachments()
    expect(await status(attachment.id, 'carol')).toBe(200)
    expect(await t.server.attachmentBytesPresent(attachment.id)).toEqual({ file: true, thumbnail: true })
  })

  it('an attachment two messages name survives the recall of one and goes with the second', async () => {
    const bytes = crypto.randomBytes(2048)
    const attachment = await upload(t.server.url, (await login('alice')).token, bytes, 'twice.bin')
    const first = await sendOk('alice', 'bob', { file: { file: { id: attachment.id } } })
    const second = await sendOk('alice', 'carol', { file: { file: { id: attachment.id } } })
    await recallOk('alice', 'bob', first)
    await t.server.collectAttachments()
    expect(await status(attachment.id, 'carol')).toBe(200)
    expect((await t.server.attachmentBytesPresent(attachment.id)).file).toBe(true)
    await recallOk('alice', 'carol', second)
    await t.server.collectAttachments()
    expect(await status(attachment.id, 'carol')).toBe(404)
    expect((await t.server.attachmentBytesPresent(attachment.id)).file).toBe(false)
  })

  it('an expired message (disappearing timer) releases its attachment', async () => {
    const alice = await device('alice')
    const set = await alice.request({ conversationSettings: { conversation: 'dave', chatType: SINGLE, set: true, disappearAfterSec: 3 } })
    expect(set.conversationSettingsOk).toBeTruthy()
    const attachment = await upload(t.server.url, (await login('alice')).token, crypto.randomBytes(1024), 'expiring.bin')
    await sendOk('alice', 'dave', { file: { file: { id: attachment.id } } })
    // Readable while the message lives (3 s: room for a busy machine between the send and this download).
    expect(await status(attachment.id, 'dave')).toBe(200)
    // The expiry sweep runs on its own timer at the message's expiry; the collection after it finds nothing alive.
    await expect.poll(async () => {
      await t.server.collectAttachments()
      return (await t.server.attachmentBytesPresent(attachment.id)).file
    }, { timeout: 15_000, interval: 250 }).toBe(false)
    expect(await status(attachment.id, 'dave')).toBe(404)
  })

  it('a finished upload no message names is kept through the grace period and deleted after it', async () => {
    const attachment = await upload(t.server.url, (await login('alice')).token, crypto.randomBytes(512), 'unsent.bin')
    await t.server.collectAttachments()
    expect(await status(attachment.id, 'alice')).toBe(200)
    await t.server.collectAttachments(Date.now() + DEFAULT_ATTACHMENT_GRACE_HOURS * 3_600_000 + 60_000)
    expect(await status(attachment.id, 'alice')).toBe(404)
    expect((await t.server.attachmentBytesPresent(attachment.id)).file).toBe(false)
  })
})
