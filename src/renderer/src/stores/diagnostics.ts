// What the diagnostics dialog shows: this device's sync cursor, pending outbox and quarantined events
// (`app.diagnostics`), read when the dialog opens and on "Refresh".
import { ref } from 'vue'
import { defineStore } from 'pinia'
import type { Diagnostics } from '../../../shared/ipc/contract'
import { bridge } from '../bridge'
import { errorSentence } from '../utils/app-error'

export const useDiagnosticsStore = defineStore('diagnostics', () => {
  const report = ref<Diagnostics | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      report.value = await bridge.invoke('app.diagnostics')
    } catch (err) {
      error.value = errorSentence(err)
    } finally {
      loading.value = false
    }
  }

  function reset(): void {
    report.value = null
    error.value = null
  }

  return { report, loading, error, load, reset }
})
