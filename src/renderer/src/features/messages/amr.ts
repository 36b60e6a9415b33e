// Owns AMR voice messages (what the seed service's mobile clients record): recognising them and turning one into a
// WAV the <audio> element plays, since Chromium has no AMR decoder. The decoding itself is opencore-amr (the
// benz-amr-recorder package's build) run in a worker (amr.worker.ts); amrToWav takes any such decoder.
import { wavFromSamples } from './wav'

/** AMR-NB files start with this line (RFC 4867 section 5). */
export const AMR_MAGIC = '#!AMR\n'
/** AMR-NB is always 8 kHz. */
export const AMR_SAMPLE_RATE = 8000

/** Decodes a whole AMR file to samples (-1..1), null when the bytes are not AMR-NB. */
export type AmrSampleDecoder = (amr: Uint8Array) => Promise<Float32Array | null>

export function isAmrBytes(bytes: Uint8Array): boolean {
  if (bytes.length < AMR_MAGIC.length) return false
  for (let i = 0; i < AMR_MAGIC.length; i += 1) if (bytes[i] !== AMR_MAGIC.charCodeAt(i)) return false
  return true
}

/** Whether an attachment should go through the decoder (by its type or name; the bytes decide in the end). */
export function looksLikeAmr(mime: string, name: string): boolean {
  return /^audio\/(amr|3gpp)$/i.test(mime.trim()) || /\.amr$/i.test(name.trim())
}

export class AmrDecodeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AmrDecodeError'
  }
}

/** The WAV of an AMR file, and its length in ms. Rejects with AmrDecodeError when it cannot be decoded. */
export async function amrToWav(amr: Uint8Array, decode: AmrSampleDecoder): Promise<{ wav: Uint8Array; durationMs: number }> {
  if (!isAmrBytes(amr)) throw new AmrDecodeError('This voice message is not an AMR recording.')
  const samples = await decode(amr)
  if (!samples || samples.length === 0) throw new AmrDecodeError('This voice message could not be decoded.')
  return { wav: wavFromSamples(samples, AMR_SAMPLE_RATE), durationMs: Math.round((samples.length / AMR_SAMPLE_RATE) * 1000) }
}
