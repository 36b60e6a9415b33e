// Ambient types for the renderer: Vite client types, .vue modules and the preload's window.parley.
// window.parley is absent in a plain browser, where the WebSocket bridge takes its place.
/// <reference types="vite/client" />
import type { ParleyBridge } from '../../shared/ipc/contract'

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

declare global {
  interface Window {
    parley?: ParleyBridge
  }
}

export {}
