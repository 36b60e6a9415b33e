// A shared, slowly ticking "now" so relative labels ("Yesterday", weekdays) roll over without reloads.
// One timer for the whole app, started on first use.
import { ref, type Ref } from 'vue'

const TICK_MS = 60_000
const now = ref(Date.now())
let timer: ReturnType<typeof setInterval> | null = null

export function useNow(): Ref<number> {
  if (timer === null) timer = setInterval(() => (now.value = Date.now()), TICK_MS)
  return now
}
