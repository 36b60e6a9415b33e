// Owns the one question the app may be asking before a destructive action (recall, remove a member, sign out, …):
// `ask` shows it in TheConfirmDialog and resolves true only when the user chose the action; a new question or sign-out cancels it.
import { ref } from 'vue'
import { defineStore } from 'pinia'

export interface ConfirmQuestion {
  /** The dialog's heading and accessible name, as a question ("Recall this message for everyone?"). */
  title: string
  /** What happens, in a sentence (optional). */
  detail?: string
  /** The destructive button's label ("Recall"); Cancel is the other choice, and the one focused first. */
  confirmLabel: string
}

interface Pending extends ConfirmQuestion {
  resolve: (yes: boolean) => void
}

export const useConfirmStore = defineStore('confirm', () => {
  const pending = ref<Pending | null>(null)

  /** Shows the question; resolves true when the action was chosen, false on Cancel, Escape or a click outside. */
  function ask(question: ConfirmQuestion): Promise<boolean> {
    pending.value?.resolve(false)
    return new Promise<boolean>((resolve) => {
      pending.value = { ...question, resolve }
    })
  }

  function answer(yes: boolean): void {
    const current = pending.value
    pending.value = null
    current?.resolve(yes)
  }

  return { pending, ask, answer }
})
