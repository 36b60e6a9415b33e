// Owns the one Content-Security-Policy of the renderer, generated for each shell that serves it: the built
// index.html's meta tag, the Electron session's header and the browser host's header all come from here.

/** Where the renderer runs; decides the only place it may open connections to. */
export type CspTarget =
  /** Electron, built files: the renderer talks to main through the preload only, never over the network. */
  | { shell: 'electron' }
  /** Electron during `npm run dev`: Vite's hot-reload socket on the dev server's own origin. */
  | { shell: 'electron-dev'; devServerOrigin: string }
  /** The browser host: the page's one socket is the bridge on the host's own loopback port. */
  | { shell: 'browser-host'; bridgePort: number }

/** The host binds loopback only, and the printed address uses this name (src/host/index.ts). */
const BRIDGE_HOST = '127.0.0.1'

type Directives = ReadonlyArray<readonly [name: string, sources: readonly string[]]>

/**
 * Directives every shell shares. 'unsafe-inline' for styles only: Vue's style bindings and the scoped
 * styles need it; scripts stay 'self' only (no eval, no inline). Nothing is framed and no form posts.
 */
const COMMON: Directives = [
  ['default-src', ["'self'"]],
  ['script-src', ["'self'"]],
  ['style-src', ["'self'", "'unsafe-inline'"]],
  ['font-src', ["'self'", 'data:']],
  ['object-src', ["'none'"]],
  ['base-uri', ["'none'"]],
  ['form-action', ["'none'"]]
]

/**
 * The scheme the Electron shell serves cached attachments from (src/main/attachment-protocol.ts): only files of
 * the signed-in account's cache, so images and media may come from it and nothing else may.
 */
export const ATTACHMENT_FILE_SCHEME = 'parley-file'

/**
 * img-src and media-src: the app's own files, data:/blob: (pasted images, recorded voice before it is sent) and, in
 * Electron, the attachment file scheme. The browser host serves attachments from its own origin ('self').
 */
function mediaDirectives(target: CspTarget): Directives {
  const files = target.shell === 'browser-host' ? [] : [`${ATTACHMENT_FILE_SCHEME}:`]
  return [
    ['img-src', ["'self'", 'data:', 'blob:', ...files]],
    ['media-src', ["'self'", 'blob:', ...files]]
  ]
}

/** Ignored inside a <meta> tag (the browser warns), so only headers carry it. */
const HEADER_ONLY: Directives = [['frame-ancestors', ["'none'"]]]

function render(directives: Directives): string {
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ')
}

function wsOrigin(httpOrigin: string): string {
  const url = new URL(httpOrigin)
  return `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`
}

/**
 * connect-src: the page's own origin and, where there is one, exactly its bridge's socket origin. In Electron also
 * the attachment file scheme: a voice message in AMR is fetched as bytes and decoded in the page (Chromium cannot
 * play AMR), so the page must be allowed to read the cached file, not only to play it.
 */
export function connectSources(target: CspTarget): string[] {
  switch (target.shell) {
    case 'electron':
      return ["'self'", `${ATTACHMENT_FILE_SCHEME}:`]
    case 'electron-dev':
      return ["'self'", `${ATTACHMENT_FILE_SCHEME}:`, wsOrigin(target.devServerOrigin)]
    case 'browser-host':
      if (!Number.isInteger(target.bridgePort) || target.bridgePort <= 0 || target.bridgePort > 65_535) {
        throw new RangeError(`the bridge port must be 1-65535, not ${target.bridgePort}`)
      }
      return ["'self'", `ws://${BRIDGE_HOST}:${target.bridgePort}`]
  }
}

/** The policy a shell sends as the Content-Security-Policy header. */
export function contentSecurityPolicy(target: CspTarget): string {
  return render([...COMMON, ...mediaDirectives(target), ['connect-src', connectSources(target)], ...HEADER_ONLY])
}

/**
 * The policy built into index.html's meta tag: the strictest one (Electron's built files, which are loaded
 * from file:// where no response header applies). A shell's header can only narrow it further.
 */
export function metaContentSecurityPolicy(): string {
  return render([...COMMON, ...mediaDirectives({ shell: 'electron' }), ['connect-src', connectSources({ shell: 'electron' })]])
}
