// The chat connection's state as the core reports it: the initial `connection.status` invoke, then
// every `connection.status` event. Drives the connection banner and refreshes after reconnects.
import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import type { ConnectionStatus } from '../../../shared/model'
import { bridge } from '../bridge'

export const useConnectionStore = defineStore('connection', () => {
  const status = ref<ConnectionStatus | null>(null)
  /** Increases each time the link comes back up, so other stores can refresh what they show. */
  const reconnectCount = ref(0)

  function apply(next: ConnectionStatus): void {
    const wasDown = status.value !== null && status.value.state !== 'connected'
    status.value = next
    if (wasDown && next.state === 'connected') reconnectCount.value += 1
  }

  bridge.on('connection.status', apply)

  async function load(): Promise<void> {
    try {
      apply(await bridge.invoke('connection.status'))
    } catch (err) {
      console.warn('[renderer:connection] could not read the connection status', err)
    }
  }

  function reset(): void {
    status.value = null
  }

  const isConnected = computed(() => status.value?.state === 'connected')

  return { status, reconnectCount, isConnected, load, reset }
})
