// Owns what the renderer reads from a file before sending it: a photo's size, a video's size, length and a poster
// frame, an audio file's length (AMR by decoding it). Each answer is best effort: null when the browser cannot
// read the file, and the file is then sent without it.
import { isAmrBytes, amrToWav } from './amr'
import { decodeAmrInWorker } from './amr-decoder'

/** How long a media element may take to read a file's header before the file is sent without its details. */
const METADATA_TIMEOUT_MS = 10_000
/** Where the poster frame is taken: a little way in, past a black first frame, on short clips their middle. */
const POSTER_AT_SECONDS = 0.5
/** Poster frames are JPEG at this quality: a still for a bubble, not an archive. */
const POSTER_JPEG_QUALITY = 0.82

export interface ImageFacts {
  width: number
  height: number
}

export interface VideoFacts {
  width: number
  height: number
  durationMs: number
  poster: File | null
}

export async function probeImage(file: Blob): Promise<ImageFacts | null> {
  try {
    const bitmap = await createImageBitmap(file)
    const facts = { width: bitmap.width, height: bitmap.height }
    bitmap.close()
    return facts
  } catch {
    return null
  }
}

function waitFor(element: HTMLMediaElement, event: 'loadedmetadata' | 'seeked'): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), METADATA_TIMEOUT_MS)
    function done(ok: boolean): void {
      clearTimeout(timer)
      element.removeEventListener(event, onEvent)
      element.removeEventListener('error', onError)
      resolve(ok)
    }
    const onEvent = (): void => done(true)
    const onError = (): void => done(false)
    element.addEventListener(event, onEvent)
    element.addEventListener('error', onError)
  })
}

function finiteMs(seconds: number): number {
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 0
}

export async function probeVideo(file: File): Promise<VideoFacts | null> {
  const url = URL.createObjectURL(file)
  const video = document.createElement('video')
  video.preload = 'auto'
  video.muted = true
  video.src = url
  try {
    if (!(await waitFor(video, 'loadedmetadata'))) return null
    const facts: VideoFacts = { width: video.videoWidth, height: video.videoHeight, durationMs: finiteMs(video.duration), poster: null }
    if (facts.width > 0 && facts.height > 0) {
      video.currentTime = Math.min(POSTER_AT_SECONDS, (video.duration || 0) / 2)
      if (await waitFor(video, 'seeked')) {
        const canvas = document.createElement('canvas')
        canvas.width = facts.width
        canvas.height = facts.height
        canvas.getContext('2d')?.drawImage(video, 0, 0)
        const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', POSTER_JPEG_QUALITY))
        if (blob) facts.poster = new File([blob], `${file.name.replace(/\.[^.]*$/, '')}-poster.jpg`, { type: 'image/jpeg' })
      }
    }
    return facts
  } finally {
    video.removeAttribute('src')
    video.load()
    URL.revokeObjectURL(url)
  }
}

/** An audio file's length in ms (0 when unknown): AMR by decoding it, anything else from the <audio> element. */
export async function probeAudioDuration(file: File): Promise<number> {
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer())
  if (isAmrBytes(head)) {
    try {
      return (await amrToWav(new Uint8Array(await file.arrayBuffer()), decodeAmrInWorker)).durationMs
    } catch {
      return 0
    }
  }
  const url = URL.createObjectURL(file)
  const audio = document.createElement('audio')
  audio.preload = 'metadata'
  audio.src = url
  try {
    return (await waitFor(audio, 'loadedmetadata')) ? finiteMs(audio.duration) : 0
  } finally {
    URL.revokeObjectURL(url)
  }
}
