// Owns the limits of the device settings that both ends check (no zod here, so the renderer can import it cheaply):
// text size, automatic download size, proxy address schemes, what an absolute path looks like.

/** Below 11 px text stops being readable on a normal screen. */
export const FONT_SIZE_MIN_PX = 11
/** Above 24 px a message line holds too few words and the conversation list no longer fits its pane. */
export const FONT_SIZE_MAX_PX = 24
/** 0 turns automatic downloads off. */
export const AUTO_DOWNLOAD_MIN_BYTES = 0
/** 100 MiB: the server's default upload limit (PARLEY_MAX_UPLOAD_MB), so nothing larger can arrive anyway. */
export const AUTO_DOWNLOAD_MAX_BYTES = 100 * 1024 * 1024
/** Schemes proxy-agent can tunnel through. */
export const PROXY_URL_SCHEMES = ['http', 'https', 'socks4', 'socks5'] as const
/** Longer than any real path or address: only guards absurd input. */
export const MAX_PATH_CHARS = 4096
export const MAX_URL_CHARS = 2048
/** A BCP 47 tag as spellcheckers name dictionaries (en-US, zh-Hans-CN…). */
export const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/

/** An absolute path on any desktop OS: /home/…, C:\…, C:/…, or \\server\share. */
export const ABSOLUTE_PATH = /^(\/|[A-Za-z]:[\\/]|\\\\[^\\])/

/** Whether `url` is a proxy address proxy-agent can use: scheme://host[:port] with one of PROXY_URL_SCHEMES. */
export function isProxyUrl(url: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  const scheme = parsed.protocol.replace(/:$/, '')
  return (PROXY_URL_SCHEMES as readonly string[]).includes(scheme) && parsed.hostname !== ''
}
