// Owns what the renderer knows of attachment transfers: the latest `transfer` push per message and part (file,
// thumbnail, poster) with its progress and cached-file URL, local previews of files sent from here, and asking
// the main process to download a part that is on screen.
import { reactive } from 'vue'
import { defineStore } from 'pinia'
import { errorSentence } from '../../utils/app-error'
import { invokeAttachment, onTransfer, type TransferEvent, type TransferWhich } from './attachments-api'

function keyOf(messageId: string, which: TransferWhich): string {
  return `${messageId}:${which}`
}

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

export const useTransfersStore = defineStore('transfers', () => {
  const latest = reactive(new Map<string, TransferEvent>())
  /** The cached file's URL per message and part, kept when later pushes (a re-download) come without one. */
  const urls = reactive(new Map<string, string>())
  /** Downloads asked for from here and not yet reported (or refused: then with the reason). */
  const requested = reactive(new Map<string, string | null>())
  /** Object URLs of files sent from this window: shown at once, before any upload finished. */
  const localPreviews = reactive(new Map<string, string>())

  onTransfer((event) => {
    const key = keyOf(event.messageId, event.which)
    latest.set(key, event)
    requested.delete(key)
    if (event.url && event.state === 'done') urls.set(key, event.url)
  })

  function urlOf(messageId: string, which: TransferWhich): string | null {
    return urls.get(keyOf(messageId, which)) ?? (which === 'file' || which === 'thumbnail' ? (localPreviews.get(messageId) ?? null) : null)
  }

  function viewOf(messageId: string, which: TransferWhich): TransferView | null {
    const key = keyOf(messageId, which)
    const event = latest.get(key)
    if (event) {
      return {
        state: event.state,
        direction: event.direction,
        transferId: event.transferId,
        transferred: event.transferred,
        total: event.total,
        fraction: event.total > 0 ? Math.min(1, event.transferred / event.total) : null,
        error: event.error
      }
    }
    if (!requested.has(key)) return null
    const error = requested.get(key) ?? null
    return { state: error ? 'failed' : 'requested', direction: 'download', transferId: null, transferred: 0, total: 0, fraction: null, error }
  }

  /** Asks for a part once (nothing when it is cached, on its way, or was asked for already). */
  async function ensure(messageId: string, which: TransferWhich): Promise<void> {
    const key = keyOf(messageId, which)
    if (urls.has(key) || latest.has(key) || requested.has(key)) return
    await download(messageId, which)
  }

  /** Asks for a part again (the user pressed "Download"). */
  async function download(messageId: string, which: TransferWhich): Promise<void> {
    const key = keyOf(messageId, which)
    requested.set(key, null)
    try {
      await invokeAttachment('attachments.download', { messageId, which })
    } catch (err) {
      latest.delete(key)
      requested.set(key, errorSentence(err))
    }
  }

  async function cancel(transferId: string): Promise<void> {
    await invokeAttachment('attachments.cancel', { transferId })
  }

  async function retry(transferId: string): Promise<void> {
    await invokeAttachment('attachments.retry', { transferId })
  }

  function setLocalPreview(messageId: string, file: Blob): void {
    localPreviews.set(messageId, URL.createObjectURL(file))
  }

  function reset(): void {
    for (const url of localPreviews.values()) URL.revokeObjectURL(url)
    latest.clear()
    urls.clear()
    requested.clear()
    localPreviews.clear()
  }

  return { urlOf, viewOf, ensure, download, cancel, retry, setLocalPreview, reset }
})
