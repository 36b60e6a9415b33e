// Owns sending files from a UI control (picker, paste, drop, recorder): one at a time in the order given, what is
// being sent as a sentence for a live region, and why one failed as a sentence.
import { ref, type Ref } from 'vue'
import { errorSentence } from '../../utils/app-error'
import { sendFile, type SendFileOptions } from './send-attachment'
import { tr } from '../../i18n/translate'

export function useAttachmentSender(conversationKey: Ref<string> | (() => string)) {
  const keyOf = typeof conversationKey === 'function' ? conversationKey : () => conversationKey.value
  /** "Sending report.pdf…", then "Sent report.pdf." (for screen readers; shown briefly). */
  const status = ref('')
  const error = ref<string | null>(null)
  const busy = ref(false)
  let queue: Promise<unknown> = Promise.resolve()

  function sendFiles(files: readonly File[], options: SendFileOptions = {}): Promise<void> {
    const key = keyOf()
    const run = queue.then(async () => {
      busy.value = true
      error.value = null
      for (const file of files) {
        const name = file.name || tr('messages.fileFallbackName')
        status.value = tr('messages.sending', { name })
        try {
          await sendFile(key, file, options)
          status.value = tr('messages.sent', { name })
        } catch (err) {
          error.value = tr('messages.notSentBecause', { name, reason: errorSentence(err) })
          status.value = ''
        }
      }
      busy.value = false
    })
    queue = run.catch(() => undefined)
    return run
  }

  return { sendFiles, status, error, busy }
}
