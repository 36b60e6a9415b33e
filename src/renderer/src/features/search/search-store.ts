// The search view's state: the query (debounced into `search.messages`), the hits grouped by conversation, how far
// back local history reaches (the `search.backfill` push), and opening a hit in its conversation.
import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import type { BackfillStatus, SearchHit, SearchResultGroup } from '../../../../shared/model'
import { bridge } from '../../bridge'
import { errorSentence } from '../../utils/app-error'
import { keyOfMessage } from '../../utils/conversation-key'
import { useConversationStore } from '../../stores/conversations'
import { useMessageStore } from '../../stores/messages'
import { useNavigationStore } from '../../stores/navigation'

/** Typing pauses this long before a search runs: every keystroke would be a query otherwise. */
const SEARCH_DEBOUNCE_MS = 200
export const RESULT_LIMIT = 50

export const useSearchStore = defineStore('search', () => {
  const query = ref('')
  const groups = ref<SearchResultGroup[]>([])
  const loading = ref(false)
  const error = ref<string | null>(null)
  /** The query the shown results are for ('' before the first search). */
  const searched = ref('')
  const backfill = ref<BackfillStatus | null>(null)
  /** Asks the list pane to focus the search field (Ctrl/Cmd+F, Ctrl+K); the field watches the counter. */
  const focusRequests = ref(0)
  let timer: ReturnType<typeof setTimeout> | null = null
  /** Answers to older queries arriving late are dropped. */
  let generation = 0

  const active = computed(() => query.value.trim() !== '')
  const hitCount = computed(() => groups.value.reduce((count, group) => count + group.hits.length, 0))

  bridge.on('search.backfill', (status) => {
    backfill.value = status
  })

  function setQuery(text: string): void {
    query.value = text
    if (timer) clearTimeout(timer)
    if (text.trim() === '') {
      generation++
      groups.value = []
      searched.value = ''
      error.value = null
      loading.value = false
      return
    }
    loading.value = true
    timer = setTimeout(() => void run(text), SEARCH_DEBOUNCE_MS)
  }

  async function run(text: string): Promise<void> {
    const mine = ++generation
    loading.value = true
    error.value = null
    try {
      const results = await bridge.invoke('search.messages', { query: text, limit: RESULT_LIMIT })
      if (mine !== generation) return
      groups.value = results.groups
      backfill.value = results.backfill
      searched.value = text
    } catch (err) {
      if (mine === generation) error.value = errorSentence(err)
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  async function loadStatus(): Promise<void> {
    try {
      backfill.value = await bridge.invoke('search.status')
    } catch (err) {
      console.warn('[renderer:search] could not read the back-fill status', err)
    }
  }

  /** How many days of older history this device fetches in the background (0: none). */
  async function setWindowDays(days: number): Promise<void> {
    try {
      backfill.value = await bridge.invoke('search.setBackfillDays', { days })
    } catch (err) {
      error.value = errorSentence(err)
    }
  }

  /** Opens the hit's conversation at the message, loaded around it however far back it is. */
  async function open(hit: SearchHit): Promise<void> {
    const key = keyOfMessage(hit.message)
    error.value = null
    try {
      await useMessageStore().jumpTo(key, hit.message.id)
      useConversationStore().select(key)
    } catch (err) {
      error.value = errorSentence(err)
    }
  }

  function requestFocus(): void {
    useNavigationStore().show('chats')
    focusRequests.value++
  }

  function reset(): void {
    if (timer) clearTimeout(timer)
    generation++
    query.value = ''
    groups.value = []
    searched.value = ''
    loading.value = false
    error.value = null
    backfill.value = null
  }

  return { query, groups, loading, error, searched, backfill, focusRequests, active, hitCount, setQuery, loadStatus, setWindowDays, open, requestFocus, reset }
})
