// Owns the behaviour every modal <dialog> of the app shares: opened as a modal when mounted, closed by Escape or a
// click on the backdrop (both reported as `close`), and focus handed back to where it was when it goes away.
import { onBeforeUnmount, onMounted, type Ref } from 'vue'

export interface ModalDialogOptions {
  /** Runs right after the dialog opened (focus a field, load data). */
  onOpened?: () => void
  /** Whether focus should go back to the element that had it before the dialog opened (default: always). */
  restoreFocus?: () => boolean
}

export function useModalDialog(dialog: Ref<HTMLDialogElement | null>, close: () => void, options: ModalDialogOptions = {}) {
  let focusBefore: HTMLElement | null = null

  function onCancel(event: Event): void {
    event.preventDefault()
    close()
  }

  /** A click on the backdrop lands on the <dialog> itself, outside its panel. */
  function onDialogClick(event: MouseEvent): void {
    if (event.target === dialog.value) close()
  }

  onMounted(() => {
    focusBefore = document.activeElement instanceof HTMLElement ? document.activeElement : null
    dialog.value?.showModal()
    options.onOpened?.()
  })

  onBeforeUnmount(() => {
    if (dialog.value?.open) dialog.value.close()
    if (focusBefore?.isConnected && (options.restoreFocus?.() ?? true)) focusBefore.focus()
  })

  return { onCancel, onDialogClick }
}
