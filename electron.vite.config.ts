// Build of the three Electron targets (main, preload, renderer). The renderer build (out/renderer) is also
// what the browser host serves. Preload is CommonJS: sandboxed preloads cannot be ES modules.
import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import type { Plugin } from 'vite'
import { metaContentSecurityPolicy } from './src/shared/csp'

/** Puts the renderer's CSP (src/shared/csp.ts, the one policy both shells share) into index.html's head. */
function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'parley-csp-meta',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: metaContentSecurityPolicy() },
        injectTo: 'head-prepend'
      }
    ]
  }
}

export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          // The embedded server's SQLite thread: src/server/store/worker-store.ts loads it from next to index.js.
          'store-worker': resolve(__dirname, 'src/server/store/store-worker.ts'),
          // The core's store thread: src/main/core/store/worker/worker-store.ts loads it from next to index.js.
          'core-store-worker': resolve(__dirname, 'src/main/core/store/worker/core-store-worker.ts'),
          // The embedded server's own process: src/main/embedded-server.ts forks it as a utilityProcess.
          'server-process': resolve(__dirname, 'src/main/server-process/child.ts')
        }
      }
    }
  },
  preload: {
    build: {
      // Sandboxed preloads may only require('electron') and a few builtins: bundle everything else.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      // Minified: the window's first paint waits for this bundle to be parsed and run (bench:ui's cold start).
      minify: true,
      rolldownOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } }
    },
    plugins: [vue(), contentSecurityPolicyMeta()]
  }
})
