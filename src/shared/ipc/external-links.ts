// Owns which links may leave the app (opened by the system browser or mail client): http, https and mailto only,
// never file:, javascript: or another app's scheme. Used by the IPC schema, the main process and the renderer.

export const EXTERNAL_URL_PATTERN = /^(https?:\/\/|mailto:)/i

/** Whether `url` is a well-formed link of a kind that may be opened outside the app. */
export function isExternalUrl(url: string): boolean {
  return EXTERNAL_URL_PATTERN.test(url) && URL.canParse(url)
}
