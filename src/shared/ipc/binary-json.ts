// Owns how bytes (Uint8Array, e.g. attachments.stageChunk) cross the browser host's JSON socket: as
// {"$bytes": "<base64>"} objects, written by the page's bridge and turned back into Uint8Array by the host.

const BYTES_KEY = '$bytes'
/** String.fromCharCode takes at most this many arguments at once in every engine we run on. */
const CHAR_CODE_BATCH = 0x8000

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += CHAR_CODE_BATCH) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHAR_CODE_BATCH))
  }
  return btoa(binary)
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** JSON.stringify where every Uint8Array becomes {"$bytes": base64}. */
export function stringifyWithBytes(value: unknown): string {
  // The holder's own value, not `item`: a Buffer (a Uint8Array) has a toJSON that runs before the replacer sees it.
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, item: unknown) {
    const original = this[key]
    return original instanceof Uint8Array ? { [BYTES_KEY]: toBase64(original) } : item
  })
}

/** JSON.parse where every {"$bytes": base64} object (and nothing else) becomes a Uint8Array again. */
export function parseWithBytes(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const keys = Object.keys(item)
      const encoded = (item as Record<string, unknown>)[BYTES_KEY]
      if (keys.length === 1 && typeof encoded === 'string') {
        try {
          return fromBase64(encoded)
        } catch {
          return item // not base64: the schema refuses it with a sentence
        }
      }
    }
    return item
  })
}
