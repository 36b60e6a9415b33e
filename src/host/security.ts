// Owns the browser host's guards: the random access token, origin and Host checks, tab id rules,
// and the security headers (the CSP is src/shared/csp.ts's browser-host policy: only the bridge's socket).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { contentSecurityPolicy } from '../shared/csp'

const TOKEN_BYTES = 32
const TAB_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/
export function createAccessToken(): string {
  return randomBytes(TOKEN_BYTES).toString('hex')
}

/** Constant-time comparison; hashing first makes the inputs equal length whatever the caller sent. */
export function tokenMatches(expected: string, candidate: string | null): boolean {
  if (candidate === null) return false
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(candidate).digest()
  return timingSafeEqual(a, b)
}

export function isValidTabId(tab: string | null): tab is string {
  return tab !== null && TAB_ID_PATTERN.test(tab)
}

/** The host's own names (host:port); the page is served from one of these. */
function ownHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`]
}

/** The page is served from one of the host's own origins, so its WebSocket must come from one too. */
export function isOwnOrigin(origin: string | undefined, port: number): boolean {
  return origin !== undefined && ownHosts(port).some((host) => origin.toLowerCase() === `http://${host}`)
}

/** Refuses DNS-rebinding requests: a foreign name resolving to 127.0.0.1 still sends its own Host header. */
export function isOwnHost(host: string | undefined, port: number): boolean {
  return host !== undefined && ownHosts(port).includes(host.toLowerCase())
}

/** Headers on every response of a host listening on `port` (its bridge is the page's only connection). */
export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy({ shell: 'browser-host', bridgePort: port }),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin'
  }
}
