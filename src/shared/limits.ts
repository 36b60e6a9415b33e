// Protocol limits both ends enforce, in a module with no dependencies so the renderer can import it
// without pulling in the protobuf runtime.

/** Upper bound for one frame on the wire. */
export const MAX_FRAME_BYTES = 64 * 1024
/** Upper bound for the text of one message, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 5 * 1024

/** Most conversations one `conversations.firstPage` answers (a window's first screen is a few dozen rows). */
export const MAX_FIRST_PAGE_CONVERSATIONS = 200

/** Usernames: letters, digits, '_', '.', '-' (stored lowercased by the server). */
export const MAX_USERNAME_CHARS = 64
export const USERNAME_PATTERN = new RegExp(`^[a-z0-9_.-]{1,${MAX_USERNAME_CHARS}}$`, 'i')
/** Group ids as the server makes them (src/server/store/groups/changes.ts): 'g' and lowercase letters or digits. */
export const GROUP_ID_PATTERN = /^g[a-z0-9]{1,63}$/
/** A chat server address as people type it: http(s)://host[:port][/]. */
export const SERVER_URL_PATTERN = /^https?:\/\/[^\s/]+(:\d+)?\/?$/

const utf8 = new TextEncoder()

export function utf8ByteLength(text: string): number {
  return utf8.encode(text).length
}
