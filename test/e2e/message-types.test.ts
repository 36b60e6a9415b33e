// End-to-end: message types in the real renderer through the browser host against the real server. Alice sends
// bob a photo (his screen shows its thumbnail), a file (he downloads it and a progress bar shows), an AMR voice
// message (decoded for him) — picked, pasted or dropped files wait in the composer's preview until sent, a caption
// after them — a location, an emoji picked with the keyboard and a link he opens outside the app;
// voice recording without a microphone says why; the AMR decoder works inside Chromium under the app's CSP; and
// the location, custom and chat-history messages the seed service's clients send show as cards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { deflateSync } from 'node:zlib'
import type { Page } from 'playwright-core'
import { E2eApp, PASSWORD, composer, conversationButton, createAccountAndSignIn, messageLog, opensChatWith, seesMessage, send, startChat } from './app-fixture'
import { eventually, waitVisible } from './helpers'
import { FrameClient, login, randomClientId } from '../bench/lib/frame-client'

const suffix = randomBytes(3).toString('hex')
const alice = `alice_${suffix}`
const bob = `bob_${suffix}`
/** A file large enough that its download reports progress more than once. */
const FILE_BYTES = 8 * 1024 * 1024

let app: E2eApp
let alicePage: Page
let bobPage: Page

/** A real PNG of the given size (one colour), built here so the test needs no binary fixture. */
function pngOf(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (bytes: Buffer): number => {
    let c = 0xffffffff
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const out = Buffer.alloc(12 + data.length)
    out.writeUInt32BE(data.length, 0)
    typed.copy(out, 4)
    out.writeUInt32BE(crc(typed), 8 + data.length)
    return out
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 2 // RGB
  const rows = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) rows.set([0x2a, 0x7f, 0xd4], y * (width * 3 + 1) + 1 + x * 3)
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))])
}

/** The composer's list of attachments waiting to be sent. */
function waiting(page: Page) {
  return page.getByRole('list', { name: 'Attachments to send', exact: true })
}

/** `count` attachments wait in the composer; Send sends them and the preview goes. */
async function sendWaiting(page: Page, count: number): Promise<void> {
  await eventually(async () => expect(await waiting(page).getByRole('listitem').count()).toBe(count))
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await eventually(async () => expect(await waiting(page).count()).toBe(0))
}

/** Fires a paste (`paste`) or a drop (`drop`, after dragenter/dragover) of these files on the message field, as Chromium does. */
async function pasteOrDrop(page: Page, how: 'paste' | 'drop', files: ReadonlyArray<{ name: string; type: string; bytes: Buffer }>): Promise<void> {
  const list = JSON.stringify(files.map((f) => ({ name: f.name, type: f.type, bytes: [...f.bytes] })))
  // Page code as a string: this file is type-checked without the DOM's types.
  await page.evaluate(`(() => {
    const data = new DataTransfer()
    for (const f of ${list}) data.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.type }))
    const field = document.querySelector('textarea[aria-label="Message"]')
    field.focus()
    if (${JSON.stringify(how)} === 'paste') {
      field.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
    } else {
      for (const type of ['dragenter', 'dragover', 'drop']) field.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }))
    }
  })()`)
}

async function openChatWith(page: Page, peer: string): Promise<void> {
  await conversationButton(page, peer).click()
  await opensChatWith(page, peer)
}

describe('message types in the browser', () => {
  beforeAll(async () => {
    app = await E2eApp.start()
    alicePage = await app.openPerson('alice')
    bobPage = await app.openPerson('bob')
    await createAccountAndSignIn(alicePage, alice)
    await createAccountAndSignIn(bobPage, bob)
    await startChat(alicePage, bob)
    await opensChatWith(alicePage, bob)
    await send(alicePage, 'hello bob')
    await openChatWith(bobPage, alice)
    await seesMessage(bobPage, 'hello bob')
  })

  afterAll(async () => {
    await app?.close()
  })

  it('an emoji picked with the keyboard is sent and the recipient sees it', async () => {
    await alicePage.getByRole('button', { name: 'Emoji', exact: true }).click()
    const picker = alicePage.getByRole('dialog', { name: 'Emoji' })
    await waitVisible(picker)
    await picker.getByRole('combobox', { name: 'Search emoji' }).fill('grinning face')
    await waitVisible(picker.getByRole('option', { name: 'grinning face', exact: true }))
    await picker.getByRole('combobox', { name: 'Search emoji' }).press('Enter')
    await eventually(async () => expect(await composer(alicePage).inputValue()).toBe('😀'))
    await picker.getByRole('combobox', { name: 'Search emoji' }).press('Escape')
    await eventually(async () => expect(await picker.count()).toBe(0))
    await composer(alicePage).type(' emoji test')
    await composer(alicePage).press('Enter')
    await seesMessage(bobPage, '😀 emoji test')
  })

  it('in a narrow window the tools sit behind "More tools" and the message field keeps its width', async () => {
    await alicePage.setViewportSize({ width: 500, height: 760 })
    try {
      expect((await composer(alicePage).boundingBox())?.width ?? 0).toBeGreaterThanOrEqual(300)
      await alicePage.getByRole('button', { name: 'More tools', exact: true }).click()
      await alicePage.getByRole('button', { name: 'Emoji', exact: true }).click()
      const search = alicePage.getByRole('combobox', { name: 'Search emoji' })
      await waitVisible(search)
      await search.press('Escape')
      await eventually(async () =>
        expect(await alicePage.getByRole('button', { name: 'More tools', exact: true }).evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true)
      )
    } finally {
      await alicePage.setViewportSize({ width: 1180, height: 760 })
    }
  })

  it('a link in a text is a link, opened outside the app', async () => {
    await send(alicePage, 'read https://example.com/docs?page=2 today')
    const link = messageLog(bobPage).getByRole('link', { name: 'https://example.com/docs?page=2' })
    await waitVisible(link)
    // The browser host opens links in a new tab (Electron: the system browser through app.openExternal). The tab's
    // request is answered here: no test traffic leaves the machine.
    await bobPage.context().route('https://example.com/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>docs</title>' }))
    const [popup] = await Promise.all([bobPage.context().waitForEvent('page'), link.click()])
    expect(popup.url()).toContain('example.com/docs?page=2')
    await popup.close()
    // The text around it is still text, and the app stayed where it was.
    await seesMessage(bobPage, 'read https://example.com/docs?page=2 today')
  })

  it('recording a voice message without a microphone says why', async () => {
    await alicePage.getByRole('button', { name: 'Record voice message', exact: true }).click()
    const recorder = alicePage.getByRole('group', { name: 'Voice message recorder' })
    await waitVisible(recorder.getByRole('alert').filter({ hasText: /microphone/i }))
    await recorder.getByRole('button', { name: 'Close', exact: true }).click()
  })

  it('decodes an AMR voice message inside Chromium, with the worker and CSP the app ships', async () => {
    const assets = path.resolve('out', 'renderer', 'assets')
    const workerFile = fs.readdirSync(assets).find((name) => /^amr\.worker-.*\.js$/.test(name))
    expect(workerFile, 'the build has the AMR worker').toBeTruthy()
    const amr = [...fs.readFileSync(path.join(__dirname, '../fixtures/media/tone-440hz.amr'))]
    // Page code as a string: this file is type-checked without the DOM's types.
    const samples = await bobPage.evaluate<number>(`new Promise((resolve, reject) => {
      const worker = new Worker(${JSON.stringify(`/assets/${workerFile}`)}, { type: 'module' })
      worker.onmessage = (event) => resolve(event.data.amr ? event.data.amr.length : -1)
      worker.onerror = (event) => reject(new Error(event.message))
      worker.postMessage({ command: 'decode', buffer: new Uint8Array(${JSON.stringify(amr)}) })
    })`)
    // 1 s of audio at 8 kHz, less the codec's last partial frame.
    expect(samples).toBeGreaterThan(7_500)
  })

  it('a photo sent shows its thumbnail to the recipient, who opens it in the viewer', async () => {
    await alicePage.getByTestId('attach-input').setInputFiles({ name: 'harbour.png', mimeType: 'image/png', buffer: pngOf(64, 48) })
    await sendWaiting(alicePage, 1)
    const image = messageLog(bobPage).getByRole('button', { name: 'Photo harbour.png, open viewer' })
    await waitVisible(image)
    await waitVisible(image.getByRole('img', { name: 'harbour.png' }))
    await eventually(async () => expect(await image.getByRole('img').evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0)).toBe(true))
    // The recipient's bubble shows the server's thumbnail (the original downloads when the viewer opens).
    expect(await image.getByRole('img').getAttribute('src')).toMatch(/\/thumbnail\?/)
    await image.click()
    const viewer = bobPage.getByRole('dialog', { name: 'Photo viewer: harbour.png' })
    await waitVisible(viewer)
    await viewer.getByTestId('image-viewer').press('+')
    await waitVisible(viewer.getByRole('button', { name: 'Fit to window' }).filter({ hasText: '125%' }))
    await viewer.getByTestId('image-viewer').press('Escape')
    await eventually(async () => expect(await viewer.count()).toBe(0))
  })

  it('a pasted picture waits in the composer with its thumbnail, name and size; × removes it, Esc clears, Enter sends with a caption', async () => {
    const before = await messageLog(bobPage).getByRole('article').count()
    await pasteOrDrop(alicePage, 'paste', [{ name: 'pier.png', type: 'image/png', bytes: pngOf(40, 30) }])
    const tray = waiting(alicePage)
    await waitVisible(tray)
    const item = tray.getByRole('listitem').filter({ hasText: 'pier.png' })
    await waitVisible(item.getByRole('img', { name: 'pier.png', exact: true }))
    await eventually(async () => expect(await item.getByRole('img').evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0)).toBe(true))
    await waitVisible(item.getByText(/^\d+ B$/))
    // Nothing is sent yet.
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await messageLog(bobPage).getByRole('article').count()).toBe(before)

    // × removes it; a dropped file shows as a card; Escape in the field removes them all.
    await item.getByRole('button', { name: 'Remove pier.png', exact: true }).click()
    await eventually(async () => expect(await tray.count()).toBe(0))
    await pasteOrDrop(alicePage, 'drop', [{ name: 'minutes.txt', type: 'text/plain', bytes: Buffer.from('agenda') }])
    await waitVisible(tray.getByRole('listitem').filter({ hasText: 'minutes.txt' }).getByText('6 B', { exact: true }))
    await composer(alicePage).press('Escape')
    await eventually(async () => expect(await tray.count()).toBe(0))

    // Paste again, type a caption, Enter: the picture goes first, then the caption as a text.
    await pasteOrDrop(alicePage, 'paste', [{ name: 'pier.png', type: 'image/png', bytes: pngOf(40, 30) }])
    await waitVisible(tray)
    await composer(alicePage).fill('the pier at dawn')
    await composer(alicePage).press('Enter')
    await eventually(async () => expect(await tray.count()).toBe(0))
    await waitVisible(messageLog(bobPage).getByRole('button', { name: 'Photo pier.png, open viewer' }))
    await seesMessage(bobPage, 'the pier at dawn')
    const articles = messageLog(bobPage).getByRole('article')
    let photoAt = -1
    let captionAt = -1
    for (let i = 0; i < (await articles.count()); i += 1) {
      if ((await articles.nth(i).getByRole('button', { name: 'Photo pier.png, open viewer' }).count()) > 0) photoAt = i
      if ((await articles.nth(i).textContent())?.includes('the pier at dawn')) captionAt = i
    }
    expect(photoAt).toBeGreaterThanOrEqual(0)
    expect(captionAt).toBeGreaterThan(photoAt)
    expect(await messageLog(bobPage).getByRole('article').filter({ hasText: 'minutes.txt' }).count()).toBe(0)
  })

  it('a file sent is downloaded by the recipient with a visible progress bar', async () => {
    const bytes = randomBytes(FILE_BYTES)
    await alicePage.getByTestId('attach-input').setInputFiles({ name: 'survey.bin', mimeType: 'application/octet-stream', buffer: bytes })
    await sendWaiting(alicePage, 1)
    const card = messageLog(bobPage).getByTestId('message-file').filter({ hasText: 'survey.bin' })
    await waitVisible(card)
    await waitVisible(card.getByText('8 MB'))
    // Remember whether the progress bar was ever on screen: on loopback the download may finish quickly.
    await bobPage.evaluate(`(() => {
      window.__progressSeen = false
      const look = () => {
        if (document.querySelector('progress[aria-label="Downloading survey.bin"]')) window.__progressSeen = true
      }
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true })
    })()`)
    await card.getByRole('button', { name: 'Download survey.bin' }).click()
    await waitVisible(card.getByText('8 MB · On this device'))
    // In the browser host the file is saved by the browser ("Save as…" downloads it); opening it is the desktop's.
    await waitVisible(card.getByRole('button', { name: 'Save survey.bin as…' }))
    expect(await bobPage.evaluate<boolean>('window.__progressSeen')).toBe(true)
  })

  it('an AMR voice message is decoded for the recipient and plays, with its length', async () => {
    const amr = fs.readFileSync(path.join(__dirname, '../fixtures/media/tone-440hz.amr'))
    await alicePage.getByTestId('attach-input').setInputFiles({ name: 'note.amr', mimeType: 'audio/amr', buffer: amr })
    await sendWaiting(alicePage, 1)
    const voice = messageLog(bobPage).getByTestId('message-voice').last()
    await waitVisible(voice)
    const play = voice.getByRole('button', { name: 'Play voice message' })
    await eventually(async () => expect(await play.isEnabled()).toBe(true))
    // The length read by decoding it (1 s), and the player's source is the decoded WAV, not the AMR file.
    await waitVisible(voice.getByText('0:01', { exact: true }))
    expect(await voice.locator('audio').getAttribute('src')).toMatch(/^blob:/)
    expect(await voice.getByRole('alert').count()).toBe(0)
    await play.click()
    await waitVisible(voice.getByRole('button', { name: 'Pause voice message' }))
  })

  it('a location shared from the dialog shows as a location card to the recipient', async () => {
    await alicePage.getByRole('button', { name: 'Share location', exact: true }).click()
    const dialog = alicePage.getByRole('dialog', { name: 'Share location' })
    await waitVisible(dialog)
    await dialog.getByLabel('Latitude').fill('123')
    await dialog.getByLabel('Longitude').fill('10')
    await dialog.getByRole('button', { name: 'Send location' }).click()
    await waitVisible(dialog.getByRole('alert').filter({ hasText: 'Enter a latitude between -90 and 90.' }))
    await dialog.getByLabel('Latitude').fill('59.3293')
    await dialog.getByLabel('Longitude').fill('18.0686')
    await dialog.getByLabel('Place name (optional)').fill('Stortorget')
    await dialog.getByRole('button', { name: 'Send location' }).click()
    await eventually(async () => expect(await dialog.count()).toBe(0))
    const card = messageLog(bobPage).getByTestId('message-location').filter({ hasText: 'Stortorget' })
    await waitVisible(card.getByText('59.32930, 18.06860'))
    await waitVisible(conversationButton(bobPage, alice).filter({ hasText: 'Location: Stortorget' }))
  })

  it('shows what the seed service\'s clients send: a location, a custom card and a chat history that opens as a list', async () => {
    const raw = await FrameClient.onDevice(app.server.url, await login(app.server.url, alice, PASSWORD), `alice-raw-${suffix}`)
    const sendBody = async (body: object): Promise<void> => {
      const ack = await raw.request({ send: { clientId: randomClientId(), to: bob, body } })
      expect(ack.body, JSON.stringify(ack.error)).toBe('sendAck')
    }
    await sendBody({ location: { latitude: 48.858222, longitude: 2.2945, address: 'Champ de Mars, Paris', name: 'Eiffel Tower' } })
    await sendBody({ custom: { event: 'order', fields: { order: '#7', status: 'shipped' }, fallbackText: 'Order #7 shipped' } })
    await sendBody({
      combined: {
        title: 'Chat history of alice and carol',
        messages: [
          { from: alice, timestamp: Date.now() - 60_000, body: { text: { text: 'first line of the history' } } },
          { from: 'carol', timestamp: Date.now() - 30_000, body: { location: { latitude: 1, longitude: 2, address: '', name: 'Dock 4' } } }
        ]
      }
    })
    await raw.close()

    const log = messageLog(bobPage)
    const location = log.getByTestId('message-location')
    await waitVisible(location.getByText('Eiffel Tower'))
    await waitVisible(location.getByText('48.85822, 2.29450'))
    await bobPage.context().route('https://www.openstreetmap.org/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>map</title>' }))
    const [map] = await Promise.all([bobPage.context().waitForEvent('page'), location.getByRole('button', { name: 'Open Eiffel Tower in maps' }).click()])
    expect(map.url()).toContain('openstreetmap.org/?mlat=48.858222&mlon=2.294500')
    await map.close()

    const custom = log.getByTestId('message-custom')
    await waitVisible(custom.getByText('shipped', { exact: true }))
    await waitVisible(custom.getByText('order', { exact: true }))

    await log.getByRole('button', { name: /^Chat history of alice and carol, 2 messages, open$/ }).click()
    const history = bobPage.getByRole('dialog', { name: 'Chat history of alice and carol' })
    await waitVisible(history.getByText('first line of the history'))
    await waitVisible(history.getByText('Location: Dock 4'))
    await history.getByRole('button', { name: 'Close', exact: true }).click()
    // The list's preview names the last one.
    await waitVisible(conversationButton(bobPage, alice).filter({ hasText: 'Chat history: Chat history of alice and carol' }))
  })

  it('no page error happened', () => {
    expect(app.pageErrors).toEqual([])
  })
})
