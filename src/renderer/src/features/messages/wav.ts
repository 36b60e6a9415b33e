// Owns turning decoded audio samples into a WAV file (16-bit PCM, one channel), the one format every shell's
// <audio> element plays: decoded AMR voice messages are shown this way.

const WAV_HEADER_BYTES = 44
const BITS_PER_SAMPLE = 16

/** A RIFF/WAVE file of `samples` (-1..1, clipped) at `sampleRate` Hz, mono. */
export function wavFromSamples(samples: Float32Array, sampleRate: number): Uint8Array {
  const dataBytes = samples.length * 2
  const out = new Uint8Array(WAV_HEADER_BYTES + dataBytes)
  const view = new DataView(out.buffer)
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < text.length; i += 1) out[offset + i] = text.charCodeAt(i)
  }
  ascii(0, 'RIFF')
  view.setUint32(4, 36 + dataBytes, true)
  ascii(8, 'WAVE')
  ascii(12, 'fmt ')
  view.setUint32(16, 16, true) // fmt chunk size
  view.setUint16(20, 1, true) // PCM
  view.setUint16(22, 1, true) // one channel
  view.setUint32(24, sampleRate, true)
  view.setUint32(28, sampleRate * 2, true) // bytes per second
  view.setUint16(32, 2, true) // bytes per frame
  view.setUint16(34, BITS_PER_SAMPLE, true)
  ascii(36, 'data')
  view.setUint32(40, dataBytes, true)
  for (let i = 0; i < samples.length; i += 1) {
    const clipped = Math.max(-1, Math.min(1, samples[i] ?? 0))
    view.setInt16(WAV_HEADER_BYTES + i * 2, Math.round(clipped < 0 ? clipped * 0x8000 : clipped * 0x7fff), true)
  }
  return out
}
