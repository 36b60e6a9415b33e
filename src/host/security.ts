// Owns the browser host's guards: the random access token, origin and Host checks, tab id rules,
// and the security headers (CSP taken from the renderer's own meta tag so both policies agree).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const TOKEN_BYTES = 32
const TAB_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/
const CSP_META_PATTERN =
  /<meta\s+[^>]*http-equiv\s*=\s*["']Content-Security-Policy["'][^>]*content\s*=\s*"([^"]*)"[^>]*>|<meta\s+[^>]*content\s*=\s*"([^"]*)"[^>]*http-equiv\s*=\s*["']Content-Security-Policy["'][^>]*>/i

/** Used when the built renderer carries no CSP meta tag; the same strict policy the renderer is written for. */
const FALLBACK_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"

/** Only effective as a header (ignored in a meta tag), so the host adds it to whatever the renderer declares. */
const HEADER_ONLY_CSP = "frame-ancestors 'none'"

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

export function cspFromIndexHtml(html: string): string {
  const match = CSP_META_PATTERN.exec(html)
  const declared = (match?.[1] ?? match?.[2])?.replace(/&#39;|&apos;/g, "'").replace(/&quot;/g, '"').trim()
  const policy = declared && declared.length > 0 ? declared : FALLBACK_CSP
  return /frame-ancestors/i.test(policy) ? policy : `${policy.replace(/;\s*$/, '')}; ${HEADER_ONLY_CSP}`
}

export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin'
  }
}
