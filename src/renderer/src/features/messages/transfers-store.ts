// The renderer's view of attachment transfers: the latest `transfer` event per message and file (progress bars,
// the cached file's URL), loaded from `attachments.transfers` at sign-in, and the calls that start or stop them.
// For the message types' components also: the URL to show now (cached, just downloaded, or a file sent from this
// window), asking for a file on screen once, and a view of a transfer for its progress bar.
import { reactive, ref } from 'vue'
import { defineStore } from 'pinia'
import type { AttachmentWhich, TransferEvent } from '../../../../shared/model/attachments'
import { bridge } from '../../bridge'
import { errorSentence } from '../../utils/app-error'
import { followSignedInSession, useSessionStore } from '../../stores/session'

/** Transfers of one message, by which file ('file', 'thumbnail', 'poster'); uploads and downloads alike. */
export type MessageTransfers = Partial<Record<AttachmentWhich, TransferEvent>>

/** A transfer as a progress bar shows it; 'requested' while the core has not reported on a download asked for. */
export interface TransferView {
  state: TransferEvent['state'] | 'requested'
  direction: TransferEvent['direction']
  transferId: string | null
  transferred: number
  total: number
  /** 0..1, or null while the size is unknown. */
  fraction: number | null
  error: string | null
}

function keyOf(messageId: string, which: AttachmentWhich): string {
  return `${messageId}:${which}`
}

export const useTransfersStore = defineStore('transfers', () => {
  /** By message id. Replaced (not mutated) on each event so computed views follow. */
  const byMessage = ref(new Map<string, MessageTransfers>())
  /** URLs the core gave for files already cached (attachments.fileUrl), by message and file. */
  const cachedUrls = reactive(new Map<string, string>())
  /** Files asked for from here and not reported yet; the value is the sentence when asking failed. */
  const requested = reactive(new Map<string, string | null>())
  /** Object URLs of files sent from this window: shown at once, before their upload finished. */
  const localPreviews = reactive(new Map<string, string>())

  function put(event: TransferEvent): void {
    if (useSessionStore().phase !== 'signedIn') return
    const next = new Map(byMessage.value)
    const previous = next.get(event.messageId) ?? {}
    // A finished upload's 'done' keeps its url; a later download event of the same file replaces it.
    next.set(event.messageId, { ...previous, [event.which]: event })
    byMessage.value = next
    requested.delete(keyOf(event.messageId, event.which))
    if (event.state === 'done' && event.url) cachedUrls.set(keyOf(event.messageId, event.which), event.url)
  }

  bridge.on('transfer', put)

  followSignedInSession(
    async () => {
      try {
        for (const event of await bridge.invoke('attachments.transfers')) put(event)
      } catch {
        // Nothing known yet: events fill it as transfers move.
      }
    },
    () => {
      byMessage.value = new Map()
      cachedUrls.clear()
      requested.clear()
      for (const url of localPreviews.values()) URL.revokeObjectURL(url)
      localPreviews.clear()
    }
  )

  function transferOf(messageId: string, which: AttachmentWhich = 'file'): TransferEvent | null {
    return byMessage.value.get(messageId)?.[which] ?? null
  }

  /** Fraction 0..1 for a progress bar; null when the total is not known yet. */
  function progressOf(messageId: string, which: AttachmentWhich = 'file'): number | null {
    const transfer = transferOf(messageId, which)
    if (!transfer || transfer.total <= 0) return null
    return Math.min(1, transfer.transferred / transfer.total)
  }

  /** The cached file's URL for <img>/<audio>/<video>: from the transfer, else asked of the core (null: not cached). */
  async function urlOf(messageId: string, which: AttachmentWhich = 'file'): Promise<string | null> {
    const known = transferOf(messageId, which)?.url
    if (known) return known
    const { url } = await bridge.invoke('attachments.fileUrl', { messageId, which })
    return url
  }

  /**
   * What to show now, without asking anyone: the cached file's URL, or the local copy of a file sent from this
   * window (its file, or standing in for its thumbnail); null while there is none (see ensure()).
   */
  function shownUrl(messageId: string, which: AttachmentWhich = 'file'): string | null {
    const key = keyOf(messageId, which)
    const transfer = transferOf(messageId, which)
    const cached = (transfer?.state === 'done' ? transfer.url : null) ?? cachedUrls.get(key) ?? null
    if (cached) return cached
    return which === 'poster' ? null : (localPreviews.get(messageId) ?? null)
  }

  /** Each call answers null when done, else the sentence to show. */
  async function download(messageId: string, which: AttachmentWhich = 'file'): Promise<string | null> {
    const key = keyOf(messageId, which)
    requested.set(key, null)
    try {
      put(await bridge.invoke('attachments.download', { messageId, which }))
      return null
    } catch (err) {
      const sentence = errorSentence(err)
      requested.set(key, sentence)
      return sentence
    }
  }

  /** A file on screen: its cached URL when there is one, else a download (once; a failed one waits for "Retry"). */
  async function ensure(messageId: string, which: AttachmentWhich = 'file'): Promise<void> {
    const key = keyOf(messageId, which)
    if (shownUrl(messageId, which) || transferOf(messageId, which) || requested.has(key)) return
    requested.set(key, null)
    try {
      const url = await urlOf(messageId, which)
      if (url) {
        cachedUrls.set(key, url)
        requested.delete(key)
        return
      }
    } catch {
      // Not known as cached: download it.
    }
    await download(messageId, which)
  }

  function viewOf(messageId: string, which: AttachmentWhich = 'file'): TransferView | null {
    const event = transferOf(messageId, which)
    if (event) {
      return {
        state: event.state,
        direction: event.direction,
        transferId: event.transferId,
        transferred: event.transferred,
        total: event.total,
        fraction: progressOf(messageId, which),
        error: event.error
      }
    }
    const key = keyOf(messageId, which)
    if (!requested.has(key)) return null
    const error = requested.get(key) ?? null
    return { state: error ? 'failed' : 'requested', direction: 'download', transferId: null, transferred: 0, total: 0, fraction: null, error }
  }

  async function cancel(transferId: string): Promise<string | null> {
    try {
      await bridge.invoke('attachments.cancel', { transferId })
      return null
    } catch (err) {
      return errorSentence(err)
    }
  }

  async function retry(transferId: string): Promise<string | null> {
    try {
      const event = await bridge.invoke('attachments.retry', { transferId })
      if (event) put(event)
      return null
    } catch (err) {
      return errorSentence(err)
    }
  }

  /** Shows a file sent from this window at once (its bytes are here), before its upload finished. */
  function setLocalPreview(messageId: string, file: Blob): void {
    localPreviews.set(messageId, URL.createObjectURL(file))
  }

  return { byMessage, put, transferOf, progressOf, urlOf, shownUrl, ensure, viewOf, download, cancel, retry, setLocalPreview }
})
