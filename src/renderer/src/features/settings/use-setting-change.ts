// Owns how a settings control saves: one change at a time per section, and the reason as a sentence when the
// core refuses it (the control then shows the stored value again, as settings.update left it).
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import type { DeviceSettingsPatch } from '../../../../shared/model/settings'
import { errorSentence } from '../../utils/app-error'
import { useSettingsStore } from './settings-store'

export function useSettingChange() {
  const store = useSettingsStore()
  const { t } = useI18n()
  const error = ref<string | null>(null)
  const saving = ref(false)

  async function change(patch: DeviceSettingsPatch): Promise<boolean> {
    saving.value = true
    error.value = null
    try {
      await store.update(patch)
      return true
    } catch (err) {
      error.value = t('settings.saveFailed', { reason: errorSentence(err) })
      return false
    } finally {
      saving.value = false
    }
  }

  return { settings: store, error, saving, change }
}
