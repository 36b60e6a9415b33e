// The colour theme: the device setting appearance.theme (light, dark, or the system's prefers-color-scheme), applied
// as data-theme on <html>. The old localStorage choice is moved into the settings by the settings store.
import { computed, ref, watchEffect } from 'vue'
import { defineStore } from 'pinia'
import { useSettingsStore } from '../features/settings/settings-store'

export type ThemeName = 'light' | 'dark'

const DARK_QUERY = '(prefers-color-scheme: dark)'

export const useThemeStore = defineStore('theme', () => {
  const settings = useSettingsStore()
  const media = window.matchMedia(DARK_QUERY)
  const systemTheme = ref<ThemeName>(media.matches ? 'dark' : 'light')
  media.addEventListener('change', (event) => {
    systemTheme.value = event.matches ? 'dark' : 'light'
  })

  const choice = computed(() => settings.settings.appearance.theme)
  const theme = computed<ThemeName>(() => (choice.value === 'system' ? systemTheme.value : choice.value))
  const followsSystem = computed(() => choice.value === 'system')

  watchEffect(() => {
    document.documentElement.dataset.theme = theme.value
    document.documentElement.style.colorScheme = theme.value
  })

  /** The rail's quick switch: the other theme of the two, remembered in the settings. */
  function toggle(): void {
    const next: ThemeName = theme.value === 'dark' ? 'light' : 'dark'
    void settings.update({ appearance: { theme: next } }).catch((err: unknown) => console.warn('[renderer:theme] could not save the theme', err))
  }

  return { theme, followsSystem, toggle }
})
