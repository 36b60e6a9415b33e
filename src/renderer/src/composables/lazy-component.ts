// Owns how a part of the window that is not on the first screen (settings, contacts, rooms, dialogs) loads: as its
// own chunk, fetched when first shown, so the start-up bundle the window parses is smaller; a failed load says so.
import { defineAsyncComponent, type Component } from 'vue'
import LazyLoadFailed from '../components/LazyLoadFailed.vue'

/** A chunk that failed to load is tried this many times before the failure shows (a busy disk, a rebuild). */
const LOAD_ATTEMPTS = 2

type ComponentLoader = () => Promise<Component | { default: Component }>

export function lazyComponent(loader: ComponentLoader): Component {
  return defineAsyncComponent({
    // No loading component: a local chunk loads within a frame or two, so a spinner would only flash.
    loader,
    errorComponent: LazyLoadFailed,
    onError(error, retry, fail, attempts) {
      if (attempts < LOAD_ATTEMPTS) retry()
      else {
        console.error('[renderer:lazy] a part of the window did not load', error)
        fail()
      }
    }
  })
}
