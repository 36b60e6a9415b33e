// Benchmark: the live room view under a fast flow, in the real renderer (browser host, Chromium) against the real
// server. One person watches a room in the page while a ChatClient sends to it at a fixed rate (open loop); the page
// records its animation frames. Prints ONE JSON line: messages sent, the page's frame intervals (p50 / p99 / max, and
// frames over 50 ms), Vue-visible rows in the DOM at the end (the virtual list keeps it small), and whether the
// newest message was on screen. Needs `npx electron-vite build` first.
// Env: BENCH_ROOM_VIEW_RATE (200 msgs/s), BENCH_ROOM_VIEW_SECONDS (10), CHROMIUM_PATH (/usr/bin/chromium).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { chromium } from 'playwright-core'
import { startHost } from '../../src/host/index'
import { startServer } from '../../src/server/index'
import { ChatClient } from '../../src/main/core/client'
import { registerAccount } from '../../src/main/core/app-server'
import { benchLog, envInt, percentileOf } from './lib/bench-util'

const log = benchLog('room-view')
process.env.PARLEY_LOG ??= 'warn'

const RATE = envInt('BENCH_ROOM_VIEW_RATE', 200)
const SECONDS = envInt('BENCH_ROOM_VIEW_SECONDS', 10)
/** Sends are issued every tick, RATE / (1000 / TICK_MS) at a time: open loop, not waiting for acks. */
const TICK_MS = 10
/** A frame longer than this is a visible stutter (three 60 Hz frames). */
const LONG_FRAME_MS = 50
const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
const PASSWORD = 'bench-password'
const ROOM_NAME = 'Firehose view'
const UI_TIMEOUT_MS = 30_000

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-room-view-'))
  const server = await startServer({ port: 0, dataDir: path.join(tmp, 'server') })
  const host = await startHost({
    port: 0,
    rendererDir: path.resolve('out', 'renderer'),
    dataDir: path.join(tmp, 'web'),
    defaultServerUrl: server.url,
    version: 'bench'
  })
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] })
  const sender = new ChatClient({ serverUrl: server.url, deviceId: `sender-${randomUUID()}`, dataDir: path.join(tmp, 'sender'), platform: 'desktop' })
  try {
    const suffix = randomUUID().slice(0, 6)
    const viewer = `viewer_${suffix}`
    const talker = `talker_${suffix}`
    await registerAccount(server.url, talker, PASSWORD)
    await sender.login(talker, PASSWORD)
    const room = await sender.rooms.create(ROOM_NAME, '', 0)
    await sender.rooms.join(room)

    const page = await (await browser.newContext({ viewport: { width: 1180, height: 760 } })).newPage()
    page.setDefaultTimeout(UI_TIMEOUT_MS)
    await page.goto(host.url)
    await page.getByLabel('Username', { exact: true }).fill(viewer)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account', exact: true }).click()
    await page.getByRole('button', { name: /^Chat rooms/ }).click()
    await page.getByRole('button', { name: `Join ${ROOM_NAME}` }).click()
    await page.getByRole('log', { name: 'Room messages' }).waitFor()
    log(`viewer in the room; sending ${RATE} msgs/s for ${SECONDS} s`)

    // Scripts as strings: tsx's name helpers do not exist in the page.
    await page.evaluate(`(() => {
      const frames = []
      let last = performance.now()
      const tick = (now) => {
        frames.push(now - last)
        last = now
        if (!window.stopFrames) requestAnimationFrame(tick)
      }
      requestAnimationFrame(tick)
      window.frames_ = frames
    })()`)

    let sent = 0
    let failed = 0
    const total = RATE * SECONDS
    const perTick = Math.max(1, Math.round((RATE * TICK_MS) / 1000))
    const pending: Array<Promise<unknown>> = []
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        for (let i = 0; i < perTick && sent < total; i++) {
          sent++
          pending.push(sender.rooms.sendText(room, `flow ${sent}: the quick brown fox jumps over the lazy dog`).catch(() => failed++))
        }
        if (sent >= total) {
          clearInterval(timer)
          resolve()
        }
      }, TICK_MS)
    })
    await Promise.all(pending)
    const newest = `flow ${total}: `
    const newestShown = await page
      .getByRole('log', { name: 'Room messages' })
      .getByRole('article')
      .filter({ hasText: newest })
      .waitFor({ timeout: 10_000 })
      .then(() => true)
      .catch(() => false)
    const result = await page.evaluate<{ frames: number[]; rowsInDom: number }>(`(() => {
      window.stopFrames = true
      return {
        frames: window.frames_.slice(1),
        rowsInDom: document.querySelectorAll('[role="log"][aria-label="Room messages"] article').length
      }
    })()`)
    console.log(
      JSON.stringify({
        rate: RATE,
        seconds: SECONDS,
        sent,
        failed,
        frames: result.frames.length,
        frameP50Ms: percentileOf(result.frames, 50),
        frameP99Ms: percentileOf(result.frames, 99),
        frameMaxMs: percentileOf(result.frames, 100),
        longFrames: result.frames.filter((ms) => ms > LONG_FRAME_MS).length,
        rowsInDom: result.rowsInDom,
        newestShown
      })
    )
  } finally {
    await sender.close()
    await browser.close().catch(() => undefined)
    await host.close()
    await server.close()
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
