// Owns the page's side of AMR decoding: one worker started on first use, requests answered in order, and a WAV
// blob URL per voice message for the <audio> element (cached while the window lives).
import { amrToWav, type AmrSampleDecoder } from './amr'

interface DecodeReply {
  command: 'decode'
  amr: Float32Array | null
}

let worker: Worker | null = null
/** The worker answers in the order it was asked: each reply settles the oldest waiting request. */
const waiting: Array<{ resolve: (samples: Float32Array | null) => void; reject: (err: Error) => void }> = []

function decoderWorker(): Worker {
  if (worker) return worker
  worker = new Worker(new URL('./amr.worker.ts', import.meta.url), { type: 'module' })
  worker.onmessage = (event: MessageEvent<DecodeReply>) => waiting.shift()?.resolve(event.data.amr)
  worker.onerror = (event) => {
    // A crashed decoder fails what it held; the next voice message starts a new one.
    for (const request of waiting.splice(0)) request.reject(new Error(event.message || 'The AMR decoder stopped.'))
    worker?.terminate()
    worker = null
  }
  return worker
}

export const decodeAmrInWorker: AmrSampleDecoder = (amr) =>
  new Promise((resolve, reject) => {
    waiting.push({ resolve, reject })
    decoderWorker().postMessage({ command: 'decode', buffer: amr })
  })

const wavUrls = new Map<string, Promise<{ url: string; durationMs: number }>>()

/** A playable URL (WAV) for the AMR file at `sourceUrl`; one decode per source while the window lives. */
export function playableAmrUrl(sourceUrl: string): Promise<{ url: string; durationMs: number }> {
  let pending = wavUrls.get(sourceUrl)
  if (!pending) {
    pending = (async () => {
      const response = await fetch(sourceUrl)
      if (!response.ok) throw new Error(`could not read the voice message (HTTP ${response.status})`)
      const { wav, durationMs } = await amrToWav(new Uint8Array(await response.arrayBuffer()), decodeAmrInWorker)
      return { url: URL.createObjectURL(new Blob([wav as Uint8Array<ArrayBuffer>], { type: 'audio/wav' })), durationMs }
    })()
    pending.catch(() => wavUrls.delete(sourceUrl))
    wavUrls.set(sourceUrl, pending)
  }
  return pending
}
