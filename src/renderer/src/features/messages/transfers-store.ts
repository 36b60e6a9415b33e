// The renderer's view of attachment transfers: the latest `transfer` event per message and file (progress bars,
// the cached file's URL), loaded from `attachments.transfers` at sign-in, and the calls that start or stop them.
import { ref } from 'vue'
import { defineStore } from 'pinia'
import type { AttachmentWhich, TransferEvent } from '../../../../shared/model/attachments'
import { bridge } from '../../bridge'
import { errorSentence } from '../../utils/app-error'
import { followSignedInSession, useSessionStore } from '../../stores/session'

/** Transfers of one message, by which file ('file', 'thumbnail', 'poster'); uploads and downloads alike. */
export type MessageTransfers = Partial<Record<AttachmentWhich, TransferEvent>>

export const useTransfersStore = defineStore('transfers', () => {
  /** By message id. Replaced (not mutated) on each event so computed views follow. */
  const byMessage = ref(new Map<string, MessageTransfers>())

  function put(event: TransferEvent): void {
    if (useSessionStore().phase !== 'signedIn') return
    const next = new Map(byMessage.value)
    const previous = next.get(event.messageId) ?? {}
    // A finished upload's 'done' keeps its url; a later download event of the same file replaces it.
    next.set(event.messageId, { ...previous, [event.which]: event })
    byMessage.value = next
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

  /** Each call answers null when done, else the sentence to show. */
  async function download(messageId: string, which: AttachmentWhich = 'file'): Promise<string | null> {
    try {
      put(await bridge.invoke('attachments.download', { messageId, which }))
      return null
    } catch (err) {
      return errorSentence(err)
    }
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

  return { byMessage, put, transferOf, progressOf, urlOf, download, cancel, retry }
})
