// Owns the byte-level framing of the wire protocol: Frame <-> Uint8Array, shared by client and server.
// Decoding never throws: malformed bytes come back as a typed failure the caller answers with an error frame.
import $protobuf from 'protobufjs/minimal.js'
import { parley } from './gen/parley.js'

// 64-bit fields are decoded as plain numbers: every id, sequence and timestamp we mint stays
// below 2^53, and numbers keep the domain free of Long objects. (pbjs --force-number types them so.)
$protobuf.util.Long = undefined as unknown as typeof $protobuf.util.Long
$protobuf.configure()

export const pb = parley.v1
export type Frame = parley.v1.Frame.$Properties
export type DecodedFrame = ReturnType<typeof parley.v1.Frame.decode>
export type FrameBody = NonNullable<parley.v1.Frame['body']>
export const ChatTypePb = parley.v1.ChatType
export const ErrorCode = parley.v1.ErrorCode
export type ErrorCode = parley.v1.ErrorCode
export const CloseCode = parley.v1.CloseCode
export type CloseCode = parley.v1.CloseCode

export { MAX_FRAME_BYTES, MAX_TEXT_BYTES } from '../limits'

export function encodeFrame(frame: Frame): Uint8Array {
  return pb.Frame.encode(frame).finish()
}

export type DecodeResult = { ok: true; frame: DecodedFrame } | { ok: false; reason: string }

export function decodeFrame(bytes: Uint8Array): DecodeResult {
  try {
    const frame = pb.Frame.decode(bytes)
    return { ok: true, frame }
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) }
  }
}

/** A 16-byte client id <-> the canonical 32-hex-digit form used as a local message id. */
export function clientIdToHex(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex')
}

export function hexToClientId(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}
