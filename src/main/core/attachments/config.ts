// The attachments module's limits and timings, each with why it has that value (core/README.md, "Attachments").

/** The server's default upload limit (PARLEY_MAX_UPLOAD_MB); a larger file is refused before it is staged. */
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024
/** Largest chunk the renderer may hand over in one stageChunk call: one IPC message stays small. */
export const MAX_STAGE_CHUNK_BYTES = 1024 * 1024
/**
 * The file is read for an upload in pieces of this size: one PATCH streams everything the server lacks (each request
 * costs the server an fsync before it answers, 13 of them for 100 MB in 8 MiB requests), and a drop loses nothing the
 * server received: it keeps what arrived and HEAD says where to go on. 1 MiB reads cost 1/16 of the default 64 KiB's calls.
 */
export const UPLOAD_READ_CHUNK_BYTES = 1024 * 1024
/** Downloads running at once: enough to fill a link, few enough that a chat full of images does not starve it. */
export const DOWNLOAD_CONCURRENCY = 3
/** Default size cap of an account's download cache; the least recently used files go first beyond it. */
export const DEFAULT_CACHE_CAP_BYTES = 1024 * 1024 * 1024
/** An incoming image this small is downloaded as it arrives (its thumbnail always is): a photo, not a RAW file. */
export const AUTO_DOWNLOAD_IMAGE_MAX_BYTES = 10 * 1024 * 1024
/** Attempts of one download after drops (each resumes by Range from what arrived) before it is failed. */
export const DOWNLOAD_ATTEMPTS = 6
/** First pause after a dropped download, doubled per attempt (0.5, 1, 2, 4, 8 s: ~15 s in all). */
export const DOWNLOAD_RETRY_BASE_MS = 500
/** Progress events at most this often per transfer: a progress bar needs ~10 updates a second, IPC no more. */
export const PROGRESS_EVENT_INTERVAL_MS = 100
/** A request that gets no answer (nor bytes) for this long is dropped and retried. */
export const HTTP_IDLE_TIMEOUT_MS = 30_000
/** The staged files a renderer may have open at once (begun and not yet ended). */
export const MAX_OPEN_STAGINGS = 16
