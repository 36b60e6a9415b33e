// Decides whether a URL belongs to the app itself: the dev server's exact origin, or the built index.html
// file (any query or hash). Kept free of Electron so it can be unit-tested; security.ts applies it.

/** `appLocation` is the dev server origin (http://localhost:5173) or the file URL of the built index.html. */
export function isAppUrl(url: string, appLocation: string): boolean {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return false
  }
  if (target.protocol === 'file:') return `file://${target.host}${target.pathname}` === appLocation
  return target.origin === appLocation
}
