// Protocol limits both ends enforce, in a module with no dependencies so the renderer can import it
// without pulling in the protobuf runtime.

/** Upper bound for one frame on the wire. */
export const MAX_FRAME_BYTES = 64 * 1024
/** Upper bound for the text of one message, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 5 * 1024

const utf8 = new TextEncoder()

export function utf8ByteLength(text: string): number {
  return utf8.encode(text).length
}
