// The receipts feature's state: the peers' delivered / read pointers of the chats on screen (live from
// `receipts.peer`), "read by N" of my group messages (asked in batches, refreshed on `receipts.groupRead`), who is
// typing where (live `typing.changed`), my own typing sent as I type, and the account's privacy settings.
import { ref } from 'vue'
import { defineStore } from 'pinia'
import type { PeerReceipts, PrivacySettings } from '../../../../shared/model'
import { conversationKeyString, parseConversationKeyString } from '../../../../shared/model'
import { bridge } from '../../bridge'
import { followSignedInSession, useSessionStore } from '../../stores/session'

export { typingSentence } from './typing-words'

/** Group seqs whose counts are asked together: the messages that mount in one tick (a screen) become one request. */
const COUNTS_BATCH_DELAY_MS = 50
/** At most this many seqs per counts request (the IPC schema's limit). */
const COUNTS_BATCH_MAX = 200

export interface GroupCountsState {
  available: boolean
  memberCount: number
  counts: Map<number, number>
}


export const useReceiptsStore = defineStore('receipts', () => {
  const peers = ref(new Map<string, PeerReceipts>())
  const groupCounts = ref(new Map<string, GroupCountsState>())
  const typing = ref(new Map<string, string[]>())
  const privacy = ref<PrivacySettings>({ readReceiptsOff: false, typingOff: false })
  const asked = new Set<string>()
  const pendingSeqs = new Map<string, Set<number>>()
  let countsTimer: ReturnType<typeof setTimeout> | null = null

  function setPeer(receipts: PeerReceipts): void {
    const next = new Map(peers.value)
    next.set(conversationKeyString(receipts.conversation), receipts)
    peers.value = next
  }

  /** The peer's pointers of a one-to-one chat (asked once per chat; pushes keep them current). */
  function peerOf(key: string): PeerReceipts | null {
    const known = peers.value.get(key) ?? null
    const conversation = parseConversationKeyString(key)
    if (!known && conversation?.type === 'single' && !asked.has(key)) {
      asked.add(key)
      bridge.invoke('receipts.peer', { conversation }).then(setPeer, () => asked.delete(key))
    }
    return known
  }

  function countsOf(key: string): GroupCountsState | null {
    return groupCounts.value.get(key) ?? null
  }

  /** "Read by N" for my group message at `seq`: asked with the other messages on screen in one request. */
  function wantCount(key: string, seq: number): void {
    let seqs = pendingSeqs.get(key)
    if (!seqs) {
      seqs = new Set()
      pendingSeqs.set(key, seqs)
    }
    seqs.add(seq)
    countsTimer ??= setTimeout(() => void flushCounts(), COUNTS_BATCH_DELAY_MS)
  }

  async function flushCounts(): Promise<void> {
    countsTimer = null
    const batches = [...pendingSeqs.entries()]
    pendingSeqs.clear()
    for (const [key, seqSet] of batches) {
      const conversation = parseConversationKeyString(key)
      if (!conversation) continue
      const seqs = [...seqSet].slice(-COUNTS_BATCH_MAX)
      try {
        const answer = await bridge.invoke('receipts.groupCounts', { conversation, seqs })
        const current = groupCounts.value.get(key)
        const counts = new Map(current?.counts ?? [])
        for (const [seq, count] of Object.entries(answer.counts)) counts.set(Number(seq), count)
        const next = new Map(groupCounts.value)
        next.set(key, { available: answer.available, memberCount: answer.memberCount, counts })
        groupCounts.value = next
      } catch {
        // Not a member any more, or offline: no counts shown (they come back with the next push or opening).
      }
    }
  }

  async function readersOf(key: string, seq: number): Promise<string[]> {
    const conversation = parseConversationKeyString(key)
    if (!conversation) return []
    return (await bridge.invoke('receipts.groupReaders', { conversation, seq })).readers
  }

  function typingIn(key: string): string[] {
    return typing.value.get(key) ?? []
  }

  /** The draft of a conversation changed: typing while it has text, stopped when it is cleared or sent. */
  function noteDraft(key: string, text: string): void {
    const conversation = parseConversationKeyString(key)
    if (!conversation || conversation.type === 'room' || privacy.value.typingOff) return
    void bridge.invoke('typing.set', { conversation, typing: text.trim().length > 0 }).catch(() => undefined)
  }

  async function setPrivacy(settings: PrivacySettings): Promise<void> {
    privacy.value = await bridge.invoke('privacy.set', settings)
  }

  bridge.on('receipts.peer', (receipts) => {
    if (useSessionStore().phase === 'signedIn') setPeer(receipts)
  })
  bridge.on('receipts.groupRead', (read) => {
    const key = conversationKeyString(read.conversation)
    const known = groupCounts.value.get(key)
    if (!known) return
    // Ask again for the messages whose counts this reader may have changed.
    for (const seq of known.counts.keys()) if (seq <= read.readSeq) wantCount(key, seq)
  })
  bridge.on('typing.changed', (event) => {
    const key = conversationKeyString(event.conversation)
    const users = (typing.value.get(key) ?? []).filter((user) => user !== event.user)
    if (event.typing) users.push(event.user)
    const next = new Map(typing.value)
    if (users.length > 0) next.set(key, users)
    else next.delete(key)
    typing.value = next
  })
  bridge.on('privacy.changed', (settings) => {
    privacy.value = settings
  })

  function reset(): void {
    peers.value = new Map()
    groupCounts.value = new Map()
    typing.value = new Map()
    privacy.value = { readReceiptsOff: false, typingOff: false }
    asked.clear()
    pendingSeqs.clear()
  }

  followSignedInSession(async () => {
    try {
      privacy.value = await bridge.invoke('privacy.get')
    } catch {
      // Offline at start: the defaults until the next change arrives.
    }
  }, reset)

  return { peers, privacy, peerOf, countsOf, wantCount, readersOf, typingIn, noteDraft, setPrivacy, reset }
})
