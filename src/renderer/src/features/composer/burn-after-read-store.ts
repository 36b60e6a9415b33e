// Owns the composer's burn-after-reading choice per conversation: off or a timer that every message sent from the
// composer then carries (text, files, voice, location), until the user turns it off. Kept for this session only.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useSessionStore } from '../../stores/session'

/**
 * The timers offered, in seconds: long enough to read a line (10 s) up to a few minutes for a longer message or a
 * voice note, the range messengers with secret-chat timers offer first. 0 is "off".
 */
export const BURN_AFTER_READ_CHOICES_SEC = [0, 10, 30, 60, 300] as const
export type BurnAfterReadChoice = (typeof BURN_AFTER_READ_CHOICES_SEC)[number]

export const useBurnAfterReadStore = defineStore('burnAfterRead', () => {
  const session = useSessionStore()
  /** '<account>|<conversation key>' -> seconds (absent = off), so another account on this tab starts with none. */
  const chosen = ref<Record<string, number>>({})

  const slot = (conversationKey: string): string => `${session.session?.user ?? ''}|${conversationKey}`

  /** The timer of the conversation's next message (0 = an ordinary message). */
  function secondsFor(conversationKey: string): number {
    return chosen.value[slot(conversationKey)] ?? 0
  }

  function choose(conversationKey: string, seconds: number): void {
    const next = { ...chosen.value }
    if (seconds > 0) next[slot(conversationKey)] = seconds
    else delete next[slot(conversationKey)]
    chosen.value = next
  }

  /** The send arguments for it: `{ burnAfterReadSec }` while on, nothing while off. */
  function sendExtras(conversationKey: string): { burnAfterReadSec?: number } {
    const seconds = secondsFor(conversationKey)
    return seconds > 0 ? { burnAfterReadSec: seconds } : {}
  }

  return { secondsFor, choose, sendExtras }
})
