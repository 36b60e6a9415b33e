// Small waiting helpers for the e2e tests: playwright-core has no auto-retrying expect, so these retry
// an assertion until it holds (or fail with its last error) instead of sleeping for fixed times.
import { expect, inject } from 'vitest'
import type { Locator, Page } from 'playwright-core'

/** Long enough for a live message to cross host, server and the other host on a loaded 2-core CI box. */
export const UI_TIMEOUT_MS = 20_000
const RETRY_STEP_MS = 100

export async function eventually(assertion: () => Promise<void>, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await assertion()
      return
    } catch (err) {
      if (Date.now() > deadline) throw err
      await new Promise((resolve) => setTimeout(resolve, RETRY_STEP_MS))
    }
  }
}

export async function waitVisible(locator: Locator, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout: timeoutMs })
}

/** The log's articles, in document order, contain exactly these texts in this order. */
export async function expectArticlesInOrder(log: Locator, texts: readonly string[]): Promise<void> {
  await eventually(async () => {
    const articles = await log.getByRole('article').allTextContents()
    const found = articles.map((content) => texts.findIndex((text) => content.includes(text)))
    expect(found.filter((index) => index >= 0)).toEqual(texts.map((_text, index) => index))
  })
}

/** The browser global-setup.ts found: CHROMIUM_PATH, a system Chromium / Chrome / Edge, or Playwright's Chromium. */
export const CHROMIUM_PATH = inject('chromiumPath')
/** Launch flags for a headless Chromium in a container: no sandbox, GPU, QUIC or background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

/** The app's confirmation dialog before a destructive action, by its question. */
export function confirmDialog(page: Page, question: string): Locator {
  return page.getByRole('dialog', { name: question, exact: true })
}

/** Waits for the confirmation asking `question` and chooses `button` in it (the destructive action's label). */
export async function confirmWith(page: Page, question: string, button: string): Promise<void> {
  const dialog = confirmDialog(page, question)
  await waitVisible(dialog)
  await dialog.getByRole('button', { name: button, exact: true }).click()
  await eventually(async () => expect(await dialog.count()).toBe(0))
}

/** The text of the focused element (page code as a string: the tests are type-checked without the DOM's types). */
export function focusedText(page: Page): Promise<string | undefined> {
  return page.evaluate<string | undefined>('document.activeElement?.textContent?.trim()')
}

/** Opens the confirmation with `open`, checks Cancel has focus, and that Enter and then Escape both cancel it. */
export async function confirmationCancels(page: Page, question: string, open: () => Promise<void>): Promise<void> {
  const dialog = confirmDialog(page, question)
  await open()
  await waitVisible(dialog)
  await eventually(async () => expect(await focusedText(page)).toBe('Cancel'))
  await page.keyboard.press('Enter')
  await eventually(async () => expect(await dialog.count()).toBe(0))
  await open()
  await waitVisible(dialog)
  await page.keyboard.press('Escape')
  await eventually(async () => expect(await dialog.count()).toBe(0))
}
