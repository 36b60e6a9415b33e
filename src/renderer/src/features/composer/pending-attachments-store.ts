// Owns the attachments waiting in each conversation's composer (pasted, dropped or picked, not sent yet): their
// files, image previews as object URLs (revoked when they go), adding, removing one, and taking them all to send.
import { ref } from 'vue'
import { defineStore } from 'pinia'
import { attachmentKindFor } from '../messages/send-attachment'

export interface PendingAttachment {
  /** Unique in this window (the list's key and the remove button's target). */
  id: number
  file: File
  /** A blob: URL of the picture for a thumbnail; null for anything shown as a file card. */
  previewUrl: string | null
}

export const usePendingAttachmentsStore = defineStore('pendingAttachments', () => {
  const byKey = ref(new Map<string, PendingAttachment[]>())
  let nextId = 1

  function listOf(key: string): readonly PendingAttachment[] {
    return byKey.value.get(key) ?? []
  }

  function put(key: string, list: PendingAttachment[]): void {
    const next = new Map(byKey.value)
    if (list.length > 0) next.set(key, list)
    else next.delete(key)
    byKey.value = next
  }

  function release(items: readonly PendingAttachment[]): void {
    for (const item of items) if (item.previewUrl) URL.revokeObjectURL(item.previewUrl)
  }

  function add(key: string, files: readonly File[]): void {
    const added = files.map((file) => ({ id: nextId++, file, previewUrl: attachmentKindFor(file) === 'image' ? URL.createObjectURL(file) : null }))
    put(key, [...listOf(key), ...added])
  }

  function remove(key: string, id: number): void {
    const list = listOf(key)
    release(list.filter((item) => item.id === id))
    put(key, list.filter((item) => item.id !== id))
  }

  /** Takes every waiting file of the conversation, in the order added, to send them; the composer is empty after. */
  function take(key: string): File[] {
    const list = listOf(key)
    release(list)
    put(key, [])
    return list.map((item) => item.file)
  }

  function clear(key: string): void {
    release(listOf(key))
    put(key, [])
  }

  function reset(): void {
    for (const list of byKey.value.values()) release(list)
    byKey.value = new Map()
  }

  return { listOf, add, remove, take, clear, reset }
})
