// The colour theme: follows the system's prefers-color-scheme until the user picks one, which is then
// remembered in localStorage. The chosen theme is applied as data-theme on <html>.
import { computed, ref, watchEffect } from 'vue'
import { defineStore } from 'pinia'

export type ThemeName = 'light' | 'dark'

const STORAGE_KEY = 'parley.theme'
const DARK_QUERY = '(prefers-color-scheme: dark)'

function readStoredChoice(): ThemeName | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY)
    return value === 'light' || value === 'dark' ? value : null
  } catch {
    return null // storage may be disabled; the system theme still works
  }
}

export const useThemeStore = defineStore('theme', () => {
  const media = window.matchMedia(DARK_QUERY)
  const systemTheme = ref<ThemeName>(media.matches ? 'dark' : 'light')
  const userChoice = ref<ThemeName | null>(readStoredChoice())
  media.addEventListener('change', (event) => {
    systemTheme.value = event.matches ? 'dark' : 'light'
  })

  const theme = computed<ThemeName>(() => userChoice.value ?? systemTheme.value)
  const followsSystem = computed(() => userChoice.value === null)

  watchEffect(() => {
    document.documentElement.dataset.theme = theme.value
    document.documentElement.style.colorScheme = theme.value
  })

  function toggle(): void {
    userChoice.value = theme.value === 'dark' ? 'light' : 'dark'
    try {
      localStorage.setItem(STORAGE_KEY, userChoice.value)
    } catch {
      // Not persisted, but still applied for this session.
    }
  }

  return { theme, followsSystem, toggle }
})
