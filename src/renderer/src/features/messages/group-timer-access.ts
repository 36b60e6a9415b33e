// Owns who may see and change a group's disappearing timer in the chat settings: every member sees it, the owner and
// admins change it (the server's groups table decides as well: setDisappearTimer). One-to-one chats are not groups.
import { computed, type ComputedRef } from 'vue'
import { groupOfKey, runsGroup, useGroupStore } from '../groups/groups-store'

export interface GroupTimerAccess {
  /** The group the conversation key opens, or null. */
  group: ComputedRef<string | null>
  /** This account may change the group's timer (owner or admin). */
  edits: ComputedRef<boolean>
}

export function useGroupTimerAccess(conversationKey: () => string): GroupTimerAccess {
  const groups = useGroupStore()
  const group = computed(() => groupOfKey(conversationKey()))
  const edits = computed(() => group.value !== null && runsGroup(groups.summaryOf(group.value)?.myRole))
  return { group, edits }
}

/** A timer in words in the current locale ("5 minutes", "1 day"), or null when it is off. */
export function timerInWords(seconds: number, locale: string): string | null {
  if (seconds <= 0) return null
  const units: Array<[Intl.NumberFormatOptions['unit'], number]> = [['day', 86_400], ['hour', 3_600], ['minute', 60], ['second', 1]]
  const [unit, size] = units.find(([, length]) => seconds % length === 0) ?? ['second', 1]
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(seconds / size)
}
