// Attachments against the real server on port 0 (real files in its temp data folder): every content type round-trips
// with its metadata (1:1 and group), resumable uploads after a dropped connection, who may download (token, secret,
// conversation grants, forwards), Range, the size limit, BMP and animated GIF thumbnails, refused references.
import crypto from 'node:crypto'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatTypePb, ErrorCode, pb, type DecodedFrame } from '../../src/shared/proto/codec'
import type { parley } from '../../src/shared/proto/gen/parley.js'
import { FrameClient, randomClientId, registerAndLogin, type Login } from '../bench/lib/frame-client'
import {
  bearer,
  completeUpload,
  createUpload,
  download,
  headOffset,
  json,
  patchBytes,
  patchThenDrop,
  postJson,
  request,
  sha256Hex,
  upload,
  type AttachmentJson
} from '../support/attachment-http'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

type BodyProps = parley.v1.Body.$Properties
const SINGLE = ChatTypePb.CHAT_TYPE_SINGLE
const GROUP = ChatTypePb.CHAT_TYPE_GROUP
const ROOM = ChatTypePb.CHAT_TYPE_ROOM

let t: TestServer
const accounts = new Map<string, Login>()
const devices = new Map<string, FrameClient>()

async function account(name: string): Promise<Login> {
  let found = accounts.get(name)
  if (!found) {
    found = await registerAndLogin(t.server.url, name)
    accounts.set(name, found)
  }
  return found
}

async function token(name: string): Promise<string> {
  return (await account(name)).token
}

/** One signed-in device per user (its own login, so its token is bound to it), kept for the whole file. */
async function device(name: string): Promise<FrameClient> {
  let client = devices.get(name)
  if (!client) {
    client = await FrameClient.onDevice(t.server.url, await account(name), `${name}-device`)
    await client.request({ groups: { mine: {} } })
    devices.set(name, client)
  }
  return client
}

function send(client: FrameClient, to: string, body: BodyProps, chatType = SINGLE): Promise<DecodedFrame> {
  return client.request({ send: { clientId: randomClientId(), to, chatType, body } })
}

async function sendOk(client: FrameClient, to: string, body: BodyProps, chatType = SINGLE): Promise<number> {
  const reply = await send(client, to, body, chatType)
  if (!reply.sendAck) throw new Error(`expected an ack, got ${JSON.stringify(reply.error)}`)
  return Number(reply.sendAck.serverId)
}

/** A decoded body as plain JSON (fields set on the wire only, 64-bit numbers as numbers), to compare with the sent one. */
function plain(body: BodyProps | null | undefined): Record<string, unknown> {
  const decoded = pb.Body.decode(pb.Body.encode(body ?? {}).finish())
  // Repeated and map fields decode as [] / {} when absent: left out, as in the bodies sent.
  const empty = (value: unknown): boolean => (Array.isArray(value) ? value.length === 0 : typeof value === 'object' && value !== null && Object.keys(value).length === 0)
  return JSON.parse(JSON.stringify(decoded), (_key, value: unknown) => (empty(value) ? undefined : value)) as Record<string, unknown>
}

function refOf(attachment: AttachmentJson): Record<string, unknown> {
  return {
    id: attachment.id,
    name: attachment.name,
    mime: attachment.mime,
    size: attachment.size,
    sha256: attachment.sha256,
    secret: attachment.secret,
    ...(attachment.hasThumbnail ? { hasThumbnail: true } : {})
  }
}

async function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer()
}

/** A 24-bit uncompressed BMP (BITMAPINFOHEADER) written by hand, so the decoder under test is not also the encoder. */
function bmp24(width: number, height: number): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4
  const pixelBytes = rowBytes * height
  const file = Buffer.alloc(54 + pixelBytes)
  file.write('BM', 0, 'ascii')
  file.writeUInt32LE(file.length, 2)
  file.writeUInt32LE(54, 10)
  file.writeUInt32LE(40, 14)
  file.writeInt32LE(width, 18)
  file.writeInt32LE(height, 22)
  file.writeUInt16LE(1, 26)
  file.writeUInt16LE(24, 28)
  file.writeUInt32LE(pixelBytes, 34)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = 54 + y * rowBytes + x * 3
      file[at] = 255 // blue
      file[at + 1] = (x * 255) / width
      file[at + 2] = 0
    }
  }
  return file
}

const eventWith = (serverId: number) => (frame: DecodedFrame): boolean => Number(frame.event?.message?.serverId) === serverId
const groupEntryWith = (serverId: number) => (frame: DecodedFrame): boolean => Number(frame.groupEntry?.message?.serverId) === serverId

describe('attachments', () => {
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(async () => {
    await Promise.all([...devices.values()].map((client) => client.close()))
    await t.dispose()
  })

  it('every content type round-trips 1:1 with its metadata: pushed to the recipient and in history, refs filled by the server', async () => {
    const alice = await device('alice')
    const bob = await device('bob')
    const url = t.server.url
    const aliceToken = await token('alice')
    const image = await upload(url, aliceToken, await png(640, 400), 'photo.png', 'image/png')
    expect(image).toMatchObject({ mime: 'image/png', hasThumbnail: true, width: 640, height: 400 })
    const voiceBytes = Buffer.concat([Buffer.from('ID3'), crypto.randomBytes(3000)])
    const voice = await upload(url, aliceToken, voiceBytes, 'hello.mp3', 'audio/mpeg')
    const videoBytes = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), crypto.randomBytes(5000)])
    const video = await upload(url, aliceToken, videoBytes, 'clip.mp4', 'video/mp4')
    const poster = await upload(url, aliceToken, await png(320, 180), 'poster.png', 'image/png')
    const file = await upload(url, aliceToken, crypto.randomBytes(7000), 'notes/../report.pdf', 'application/pdf')
    expect(voice.mime).toBe('audio/mpeg')
    expect(video.mime).toBe('video/mp4')
    expect(file.name).toBe('report.pdf') // the last segment only: never a path
    expect(file.mime).toBe('application/pdf') // no signature matched: the client's mime, sanitised

    // The client claims a wrong size, hash and dimensions: the server's record wins.
    const lie = { size: 1, sha256: '00'.repeat(32), mime: 'text/html', secret: 'mine', hasThumbnail: false }
    const sent: { body: BodyProps; expected: Record<string, unknown> }[] = [
      {
        body: { text: { text: 'hi 👋' }, replyTo: { serverId: 7, from: 'bob', preview: 'yo', seq: 3 }, burnAfterReadSec: 30 },
        expected: { text: { text: 'hi 👋' }, replyTo: { serverId: 7, from: 'bob', preview: 'yo', seq: 3 }, burnAfterReadSec: 30 }
      },
      {
        body: { image: { file: { id: image.id, ...lie }, width: 1, height: 1 } },
        expected: { image: { file: refOf(image), width: 640, height: 400 } }
      },
      { body: { voice: { file: { id: voice.id }, durationMs: 2500 } }, expected: { voice: { file: refOf(voice), durationMs: 2500 } } },
      {
        body: { video: { file: { id: video.id }, durationMs: 9000, width: 1280, height: 720, poster: { id: poster.id } } },
        expected: { video: { file: refOf(video), durationMs: 9000, width: 1280, height: 720, poster: refOf(poster) } }
      },
      { body: { file: { file: { id: file.id, name: 'x' } }, forwarded: true }, expected: { file: { file: refOf(file) }, forwarded: true } },
      {
        body: { location: { latitude: 48.8584, longitude: 2.2945, address: 'Champ de Mars, Paris', name: 'Eiffel Tower' } },
        expected: { location: { latitude: 48.8584, longitude: 2.2945, address: 'Champ de Mars, Paris', name: 'Eiffel Tower' } }
      },
      { body: { command: { action: 'typing-game', params: { level: '3' } } }, expected: { command: { action: 'typing-game', params: { level: '3' } } } },
      {
        body: { custom: { event: 'order', fields: { id: 'A-17', total: '9.90' }, fallbackText: 'Order A-17' } },
        expected: { custom: { event: 'order', fields: { id: 'A-17', total: '9.90' }, fallbackText: 'Order A-17' } }
      },
      {
        body: {
          combined: {
            title: 'Chat history of alice and carol',
            messages: [
              { serverId: 11, from: 'carol', to: 'alice', timestamp: 1000, body: { text: { text: 'see this' } } },
              { serverId: 12, from: 'alice', to: 'carol', timestamp: 2000, body: { file: { file: { id: file.id } } } }
            ]
          }
        },
        expected: {
          combined: {
            title: 'Chat history of alice and carol',
            messages: [
              { serverId: 11, from: 'carol', to: 'alice', timestamp: 1000, body: { text: { text: 'see this' } } },
              { serverId: 12, from: 'alice', to: 'carol', timestamp: 2000, body: { file: { file: refOf(file) } } }
            ]
          }
        }
      }
    ]
    const serverIds: number[] = []
    for (const { body, expected } of sent) {
      const serverId = await sendOk(alice, 'bob', body)
      serverIds.push(serverId)
      const pushed = await bob.waitFor(eventWith(serverId), 5_000, `message ${serverId}`)
      expect(plain(pushed.event?.message?.body)).toEqual(expected)
    }
    const page = await bob.request({ history: { conversation: 'alice', chatType: SINGLE, limit: 50 } })
    const stored = new Map((page.historyPage?.events ?? []).map((event) => [Number(event.message?.serverId), event.message?.body]))
    serverIds.forEach((serverId, index) => expect(plain(stored.get(serverId))).toEqual(sent[index]?.expected))
    // Bob may now read every attachment he was sent; its bytes are the uploaded ones.
    const bobToken = await token('bob')
    const got = await download(url, image.id, { token: bobToken })
    expect(got.status).toBe(200)
    expect(sha256Hex(got.body)).toBe(image.sha256)
    expect(got.headers.etag).toBe(`"${image.sha256}"`)
    expect(got.headers['x-content-type-options']).toBe('nosniff')
    expect(got.headers['content-disposition']).toContain('photo.png')
    expect((await download(url, poster.id, { token: bobToken })).status).toBe(200)
  })

  it('every content type round-trips in a group: members get the filled refs and may read the bytes, others may not', async () => {
    const alice = await device('alice')
    const bob = await device('bob')
    const carol = await device('carol')
    const created = await alice.request({ groups: { create: { name: 'Photos', members: ['bob'], settings: {} } } })
    const group = created.groupsOk?.done?.group as string
    expect(group).toBeTruthy()
    const url = t.server.url
    const image = await upload(url, await token('alice'), await png(50, 80), 'g.png', 'image/png')
    const file = await upload(url, await token('alice'), crypto.randomBytes(900), 'g.bin')
    const bodies: { body: BodyProps; expected: Record<string, unknown> }[] = [
      { body: { text: { text: 'hey @bob', mentions: ['Bob'] } }, expected: { text: { text: 'hey @bob', mentions: ['bob'] } } },
      { body: { image: { file: { id: image.id } } }, expected: { image: { file: refOf(image), width: 50, height: 80 } } },
      { body: { voice: { file: { id: file.id }, durationMs: 10 } }, expected: { voice: { file: refOf(file), durationMs: 10 } } },
      { body: { video: { file: { id: file.id }, durationMs: 10 } }, expected: { video: { file: refOf(file), durationMs: 10 } } },
      { body: { file: { file: { id: file.id } } }, expected: { file: { file: refOf(file) } } },
      { body: { location: { latitude: -33.86, longitude: 151.21 } }, expected: { location: { latitude: -33.86, longitude: 151.21 } } },
      { body: { command: { action: 'refresh' } }, expected: { command: { action: 'refresh' } } },
      { body: { custom: { event: 'poll', fields: { q: 'Lunch?' }, fallbackText: 'A poll' } }, expected: { custom: { event: 'poll', fields: { q: 'Lunch?' }, fallbackText: 'A poll' } } },
      {
        body: { combined: { title: 'merged', messages: [{ from: 'alice', body: { image: { file: { id: image.id } } } }] } },
        expected: { combined: { title: 'merged', messages: [{ from: 'alice', body: { image: { file: refOf(image), width: 50, height: 80 } } }] } }
      }
    ]
    for (const { body, expected } of bodies) {
      const serverId = await sendOk(alice, group, body, GROUP)
      const entry = await bob.waitFor(groupEntryWith(serverId), 5_000, `group message ${serverId}`)
      expect(plain(entry.groupEntry?.message?.body)).toEqual(expected)
    }
    const page = await bob.request({ history: { conversation: group, chatType: GROUP, limit: 50 } })
    expect((page.historyPage?.events ?? []).filter((event) => event.message?.body?.image?.file?.sha256 === image.sha256)).toHaveLength(1)
    expect((await download(url, image.id, { token: await token('bob') })).status).toBe(200)
    expect((await download(url, image.id, { token: await token('carol') })).status).toBe(403)
    expect(carol.received.filter((frame) => frame.groupEntry?.group === group)).toEqual([])
  })

  it('an upload cut off half way resumes from the offset HEAD answers, and the download matches its sha256', async () => {
    const url = t.server.url
    const aliceToken = await token('alice')
    const bytes = crypto.randomBytes(8 * 1024 * 1024 + 123)
    const uploadId = await createUpload(url, aliceToken, bytes, 'big.bin', 'application/octet-stream')
    await patchThenDrop(url, aliceToken, uploadId, bytes, 4 * 1024 * 1024)
    const offset = await headOffset(url, aliceToken, uploadId)
    expect(offset).toBeGreaterThan(0)
    expect(offset).toBeLessThanOrEqual(4 * 1024 * 1024)
    // Completing before the rest arrived is refused with the offset to resume at.
    const early = await completeUpload(url, aliceToken, uploadId)
    expect(early.status).toBe(409)
    expect(Number(early.headers['upload-offset'])).toBe(offset)
    // A PATCH at the wrong offset is refused with the right one.
    const wrong = await patchBytes(url, aliceToken, uploadId, 0, bytes.subarray(0, 10))
    expect(wrong.status).toBe(409)
    expect(Number(wrong.headers['upload-offset'])).toBe(offset)
    const rest = await patchBytes(url, aliceToken, uploadId, offset, bytes.subarray(offset))
    expect(rest.status).toBe(204)
    expect(Number(rest.headers['upload-offset'])).toBe(bytes.length)
    const done = await completeUpload(url, aliceToken, uploadId)
    expect(done.status).toBe(200)
    const attachment = json(done).attachment as AttachmentJson
    expect(attachment.sha256).toBe(sha256Hex(bytes))
    expect(attachment.size).toBe(bytes.length)
    const got = await download(url, attachment.id, { token: aliceToken })
    expect(got.status).toBe(200)
    expect(sha256Hex(got.body)).toBe(attachment.sha256)
  })

  it('the announced sha256 is checked at completion (422), and a cancelled upload is gone', async () => {
    const url = t.server.url
    const aliceToken = await token('alice')
    const bytes = crypto.randomBytes(1000)
    const created = await postJson(url, '/attachments/uploads', aliceToken, { name: 'x', mime: 'a/b', size: 1000, sha256: sha256Hex(Buffer.from('other')) })
    const uploadId = String(json(created).uploadId)
    expect((await patchBytes(url, aliceToken, uploadId, 0, bytes)).status).toBe(204)
    const done = await completeUpload(url, aliceToken, uploadId)
    expect(done.status).toBe(422)
    expect(json(done).code).toBe('CHECKSUM_MISMATCH')
    const second = await createUpload(url, aliceToken, bytes, 'y', 'a/b')
    expect((await request(url, 'DELETE', `/attachments/uploads/${second}`, bearer(aliceToken))).status).toBe(204)
    expect((await request(url, 'HEAD', `/attachments/uploads/${second}`, bearer(aliceToken))).status).toBe(404)
    // Someone else's upload is not theirs to see.
    const third = await createUpload(url, aliceToken, bytes, 'z', 'a/b')
    expect((await request(url, 'HEAD', `/attachments/uploads/${third}`, bearer(await token('bob')))).status).toBe(404)
  })

  it('downloads without a valid token are 401, outside the conversation 403, with the secret 200', async () => {
    const url = t.server.url
    await device('alice')
    const attachment = await upload(url, await token('alice'), crypto.randomBytes(2000), 'secret.bin')
    const noToken = await download(url, attachment.id)
    expect(noToken.status).toBe(401)
    expect(json(noToken).code).toBe('UNAUTHENTICATED')
    const badToken = await download(url, attachment.id, { token: 'A'.repeat(43) })
    expect(badToken.status).toBe(401)
    expect(json(badToken).code).toBe('TOKEN_INVALID')
    const carol = await download(url, attachment.id, { token: await token('carol') })
    expect(carol.status).toBe(403)
    expect(json(carol)).toMatchObject({ code: 'FORBIDDEN' })
    expect(typeof json(carol).message).toBe('string')
    expect((await download(url, attachment.id, { token: await token('carol') }, {}, 'thumbnail')).status).toBe(403)
    expect((await download(url, attachment.id, { secret: 'x'.repeat(22) })).status).toBe(403)
    const withSecret = await download(url, attachment.id, { secret: attachment.secret })
    expect(withSecret.status).toBe(200)
    expect(sha256Hex(withSecret.body)).toBe(attachment.sha256)
    // The uploader reads it; an upload needs a token too.
    expect((await download(url, attachment.id, { token: await token('alice') })).status).toBe(200)
    expect((await postJson(url, '/attachments/uploads', null, { name: 'a', mime: 'a/b', size: 1 })).status).toBe(401)
    expect((await download(url, 'no-such-attachment-id1', { token: await token('alice') })).status).toBe(404)
  })

  it('a signed-out session is 401 TOKEN_REVOKED and an expired token 401 TOKEN_EXPIRED', async () => {
    const url = t.server.url
    const erin = await registerAndLogin(url, 'erin')
    const attachment = await upload(url, erin.token, crypto.randomBytes(100))
    const client = await FrameClient.authenticated(url, erin.token, 'erin-device')
    expect((await client.request({ signOut: { allDevices: false } })).body).toBe('signOutOk')
    await client.close()
    const revoked = await download(url, attachment.id, { token: erin.token })
    expect(revoked.status).toBe(401)
    expect(json(revoked).code).toBe('TOKEN_REVOKED')

    const short = await startTestServer({ tokenTtlSec: 1 })
    try {
      const frank = await registerAndLogin(short.server.url, 'frank')
      const own = await upload(short.server.url, frank.token, crypto.randomBytes(100))
      await new Promise((resolve) => setTimeout(resolve, 1_100))
      const expired = await download(short.server.url, own.id, { token: frank.token })
      expect(expired.status).toBe(401)
      expect(json(expired).code).toBe('TOKEN_EXPIRED')
    } finally {
      await short.dispose()
    }
  })

  it('Range answers the right bytes (206), a range past the end is 416', async () => {
    const url = t.server.url
    const aliceToken = await token('alice')
    const bytes = crypto.randomBytes(10_000)
    const attachment = await upload(url, aliceToken, bytes)
    const middle = await download(url, attachment.id, { token: aliceToken }, { range: 'bytes=1000-1999' })
    expect(middle.status).toBe(206)
    expect(middle.headers['content-range']).toBe('bytes 1000-1999/10000')
    expect(middle.body.equals(bytes.subarray(1000, 2000))).toBe(true)
    const open = await download(url, attachment.id, { token: aliceToken }, { range: 'bytes=9990-' })
    expect(open.status).toBe(206)
    expect(open.body.equals(bytes.subarray(9990))).toBe(true)
    const suffix = await download(url, attachment.id, { token: aliceToken }, { range: 'bytes=-10' })
    expect(suffix.body.equals(bytes.subarray(9990))).toBe(true)
    const past = await download(url, attachment.id, { token: aliceToken }, { range: 'bytes=10000-' })
    expect(past.status).toBe(416)
    expect(past.headers['content-range']).toBe('bytes */10000')
    expect(json(past).code).toBe('RANGE_NOT_SATISFIABLE')
    const several = await download(url, attachment.id, { token: aliceToken }, { range: 'bytes=0-1,5-6' })
    expect(several.status).toBe(200)
    expect(several.body.length).toBe(10_000)
  })

  it('past the size limit: announced too large is 413 TOO_LARGE, and bytes past the announced size are refused', async () => {
    const small = await startTestServer({ maxUploadMb: 1 })
    try {
      const url = small.server.url
      const gina = await registerAndLogin(url, 'gina')
      const tooLarge = await postJson(url, '/attachments/uploads', gina.token, { name: 'big', mime: 'a/b', size: 1024 * 1024 + 1 })
      expect(tooLarge.status).toBe(413)
      expect(json(tooLarge)).toMatchObject({ code: 'TOO_LARGE' })
      expect(String(json(tooLarge).message)).toContain('1 MB')
      const fits = await postJson(url, '/attachments/uploads', gina.token, { name: 'ok', mime: 'a/b', size: 1000 })
      expect(fits.status).toBe(201)
      expect(json(fits).maxBytes).toBe(1024 * 1024)
      const uploadId = String(json(fits).uploadId)
      const over = await patchBytes(url, gina.token, uploadId, 0, crypto.randomBytes(2000))
      expect(over.status).toBe(413)
      expect(await headOffset(url, gina.token, uploadId)).toBe(0)
    } finally {
      await small.dispose()
    }
  })

  it('a BMP upload gets a thumbnail and its dimensions; an animated GIF is thumbnailed from its first frame and stays animated', async () => {
    const url = t.server.url
    const aliceToken = await token('alice')
    const bmp = await upload(url, aliceToken, bmp24(900, 300), 'scan.bmp', 'application/octet-stream')
    expect(bmp).toMatchObject({ mime: 'image/bmp', hasThumbnail: true, width: 900, height: 300 })
    const thumbnail = await download(url, bmp.id, { token: aliceToken }, {}, 'thumbnail')
    expect(thumbnail.status).toBe(200)
    expect(thumbnail.headers['content-type']).toBe('image/webp')
    const meta = await sharp(thumbnail.body).metadata()
    expect(meta.format).toBe('webp')
    expect(Math.max(meta.width, meta.height)).toBeLessThanOrEqual(480)
    expect(meta.width / meta.height).toBeCloseTo(3, 1)
    // The thumbnail shows the picture: blue dominates (the BMP is blue with a green ramp).
    const stats = await sharp(thumbnail.body).stats()
    expect(stats.channels[2]?.mean).toBeGreaterThan(200)

    const red = await sharp({ create: { width: 60, height: 40, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer()
    const green = await sharp({ create: { width: 60, height: 40, channels: 3, background: { r: 0, g: 255, b: 0 } } }).png().toBuffer()
    const gif = await sharp([red, green], { join: { animated: true } }).gif().toBuffer()
    expect((await sharp(gif).metadata()).pages).toBe(2)
    const animated = await upload(url, aliceToken, gif, 'wave.gif', 'image/gif')
    expect(animated).toMatchObject({ mime: 'image/gif', hasThumbnail: true, width: 60, height: 40 })
    const first = await sharp((await download(url, animated.id, { token: aliceToken }, {}, 'thumbnail')).body).stats()
    expect(first.channels[0]?.mean).toBeGreaterThan(200) // red: the first frame
    expect(first.channels[1]?.mean).toBeLessThan(50)
    const original = await download(url, animated.id, { token: aliceToken })
    expect(original.body.equals(gif)).toBe(true)
    expect((await sharp(original.body).metadata()).pages).toBe(2)

    // A file that is no image gets none, and its thumbnail route says so.
    const plainFile = await upload(url, aliceToken, Buffer.from('BMnot really a bitmap'), 'fake.bmp', 'image/bmp')
    expect(plainFile.hasThumbnail).toBe(false)
    expect((await download(url, plainFile.id, { token: aliceToken }, {}, 'thumbnail')).status).toBe(404)
  })

  it('a forwarded attachment becomes readable in the target conversation and nowhere else', async () => {
    const url = t.server.url
    const alice = await device('alice')
    const bob = await device('bob')
    await device('dave')
    const attachment = await upload(url, await token('alice'), await png(30, 30), 'fwd.png', 'image/png')
    await sendOk(alice, 'bob', { image: { file: { id: attachment.id } } })
    expect((await download(url, attachment.id, { token: await token('dave') })).status).toBe(403)
    // Bob (a reader, not the uploader) forwards it to a group with dave.
    const created = await bob.request({ groups: { create: { name: 'Fwd', members: ['dave'], settings: {} } } })
    const group = created.groupsOk?.done?.group as string
    await sendOk(bob, group, { image: { file: { id: attachment.id } }, forwarded: true }, GROUP)
    expect((await download(url, attachment.id, { token: await token('dave') })).status).toBe(200)
    expect((await download(url, attachment.id, { token: await token('carol') })).status).toBe(403)
    // Merged forwards grant the same way: bob forwards it inside a combined message to carol.
    const other = await upload(url, await token('alice'), crypto.randomBytes(500), 'other.bin')
    await sendOk(alice, 'bob', { file: { file: { id: other.id } } })
    expect((await download(url, other.id, { token: await token('carol') })).status).toBe(403)
    await sendOk(bob, 'carol', { combined: { title: 'fw', messages: [{ from: 'alice', body: { file: { file: { id: other.id } } } }] } })
    expect((await download(url, other.id, { token: await token('carol') })).status).toBe(200)
    expect((await download(url, other.id, { token: await token('dave') })).status).toBe(403)
  })

  it('a message naming an attachment its sender may not read is refused and stores nothing; an unknown one too', async () => {
    const url = t.server.url
    const carol = await device('carol')
    const bob = await device('bob')
    const hank = await device('hank')
    const privateOne = await upload(url, await token('alice'), crypto.randomBytes(300), 'private.bin')
    const refused = await send(carol, 'hank', { file: { file: { id: privateOne.id } } })
    expect(refused.error?.code).toBe(ErrorCode.ERROR_ATTACHMENT_FORBIDDEN)
    const nested = await send(carol, 'hank', { combined: { messages: [{ body: { image: { file: { id: privateOne.id } } } }] } })
    expect(nested.error?.code).toBe(ErrorCode.ERROR_ATTACHMENT_FORBIDDEN)
    const unknown = await send(carol, 'hank', { image: { file: { id: 'AAAAAAAAAAAAAAAAAAAAAA' } } })
    expect(unknown.error?.code).toBe(ErrorCode.ERROR_ATTACHMENT_NOT_FOUND)
    const page = await hank.request({ history: { conversation: 'carol', chatType: SINGLE, limit: 50 } })
    expect(page.historyPage?.events ?? []).toEqual([])
    expect((await download(url, privateOne.id, { token: await token('hank') })).status).toBe(403)
    expect((await download(url, privateOne.id, { token: await token('carol') })).status).toBe(403)
    expect(hank.received.filter((frame) => frame.event?.message)).toEqual([])
    void bob
  })

  it('content limits: coordinates, command and custom fields, merged forwards, one content type per body', async () => {
    const alice = await device('alice')
    await device('bob')
    const code = async (body: BodyProps): Promise<number | null | undefined> => (await send(alice, 'bob', body)).error?.code
    expect(await code({ location: { latitude: 91, longitude: 0 } })).toBe(ErrorCode.ERROR_BAD_REQUEST)
    expect(await code({ location: { latitude: 0, longitude: -180.5 } })).toBe(ErrorCode.ERROR_BAD_REQUEST)
    expect(await code({ command: { action: '' } })).toBe(ErrorCode.ERROR_BAD_REQUEST)
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, index) => [`k${index}`, 'v']))
    expect(await code({ command: { action: 'a', params: many } })).toBe(ErrorCode.ERROR_LIMIT_EXCEEDED)
    expect(await code({ custom: { event: 'e', fields: { k: 'v'.repeat(1025) } } })).toBe(ErrorCode.ERROR_LIMIT_EXCEEDED)
    expect(await code({ custom: { event: '', fields: {} } })).toBe(ErrorCode.ERROR_BAD_REQUEST)
    const message = { from: 'x', body: { text: { text: 't' } } }
    expect(await code({ combined: { messages: Array.from({ length: 101 }, () => message) } })).toBe(ErrorCode.ERROR_LIMIT_EXCEEDED)
    expect(await code({ combined: { messages: [] } })).toBe(ErrorCode.ERROR_BAD_REQUEST)
    const deep = { combined: { messages: [{ body: { combined: { messages: [{ body: { combined: { messages: [message] } } }] } } }] } }
    expect(await code(deep)).toBe(ErrorCode.ERROR_LIMIT_EXCEEDED)
    const bulky = { from: 'x', body: { text: { text: 'w'.repeat(1000) } } }
    expect(await code({ combined: { messages: Array.from({ length: 55 }, () => bulky) } })).toBe(ErrorCode.ERROR_TOO_LARGE)
    expect(await code({})).toBe(ErrorCode.ERROR_BAD_REQUEST)
    expect(await code({ image: {} })).toBe(ErrorCode.ERROR_BAD_REQUEST)
  })

  it('a room message with an attachment: readable by who is in the room, refused to others', async () => {
    const url = t.server.url
    const alice = await device('alice')
    const bob = await device('bob')
    await device('carol')
    const created = await alice.request({ rooms: { create: { name: 'Lobby' } } })
    const room = created.roomsOk?.done?.room as string
    expect(room).toBeTruthy()
    expect((await alice.request({ rooms: { join: { room } } })).roomsOk).toBeTruthy()
    expect((await bob.request({ rooms: { join: { room } } })).roomsOk).toBeTruthy()
    const attachment = await upload(url, await token('alice'), await png(20, 20), 'room.png', 'image/png')
    const ack = await send(alice, room, { image: { file: { id: attachment.id } } }, ROOM)
    expect(ack.sendAck).toBeTruthy()
    const seen = await bob.waitFor((frame) => frame.roomEvent?.message?.body?.image?.file?.id === attachment.id)
    expect(seen.roomEvent?.message?.body?.image?.file?.sha256).toBe(attachment.sha256)
    expect((await download(url, attachment.id, { token: await token('bob') })).status).toBe(200)
    expect((await download(url, attachment.id, { token: await token('carol') })).status).toBe(403)
  })
})
