// Owns the attachments' limits and durations (the upload size limit itself is a server setting in config.ts):
// id and secret sizes, name limits, the abandoned-upload period, thumbnail size, and message content limits.

/** Random bytes of an upload id, an attachment id and a secret: 128 bits each, so none can be guessed. */
export const ATTACHMENT_ID_BYTES = 16
export const ATTACHMENT_SECRET_BYTES = 16
/** What an id or secret looks like on the wire (base64url of 16 bytes): anything else is refused unread. */
export const ATTACHMENT_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/
/** A file name to show and save as: 255 characters is what common file systems allow for one name. */
export const ATTACHMENT_NAME_MAX_CHARS = 255
/** RFC 6838 caps a media type's type and subtype at 127 characters each. */
export const ATTACHMENT_MIME_MAX_CHARS = 255

/**
 * PARLEY_UPLOAD_ABANDON_HOURS: an upload not advanced for this long is abandoned: its bytes and row are removed. A day
 * lets a laptop that went to sleep mid-upload resume the next morning, while a client that never comes back holds its
 * disk space for one day.
 */
export const DEFAULT_UPLOAD_ABANDON_HOURS = 24
export const UPLOAD_ABANDON_MS = DEFAULT_UPLOAD_ABANDON_HOURS * 60 * 60_000
/** How often abandoned uploads are looked for (and how many are removed per look, to keep each short). */
export const UPLOAD_SWEEP_INTERVAL_MS = 60 * 60_000
export const UPLOAD_SWEEP_BATCH = 500
/**
 * A HEAD waits at most this long for a PATCH of the same upload that is still being written (the one a dropped
 * connection cut short is usually settling, its last bytes being fsynced), so it answers the offset that PATCH left.
 */
export const HEAD_SETTLE_WAIT_MS = 2_000
/**
 * Received bytes are written to disk in batches of up to this many bytes: one write per 1 MiB instead of one per
 * 64 KiB socket read, while holding at most this much of an upload in memory.
 */
export const UPLOAD_WRITE_BATCH_BYTES = 1024 * 1024
/**
 * Batches written at once (at their own offsets): extending a file costs the kernel block allocation per write, and
 * on this machine 1 MiB writes went 222 MB/s one at a time, 1.3 GB/s two at a time and 3.5 GB/s four at a time
 * (libuv's thread pool has 4 threads). Memory held: at most this many batches plus the one being read.
 */
export const UPLOAD_WRITES_IN_FLIGHT = 4
/**
 * A PATCH starts a background fdatasync each time this many more bytes were written (one at a time), so the fsync that
 * must end the PATCH has at most about this much left to flush. 100 MB written at ~1 GB/s then fsynced took a median
 * of ~265 ms here, with a flush every 16 MiB ~208 ms (the final fsync from 60-90 ms down to under 10).
 */
export const UPLOAD_BACKGROUND_FLUSH_BYTES = 16 * 1024 * 1024
/** Downloads read the file in chunks of this size (the default 64 KiB costs ~16x the reads for a large file). */
export const DOWNLOAD_READ_CHUNK_BYTES = 1024 * 1024

/** Thumbnails fit in this square (px): a chat bubble's image is at most ~300 CSS px wide; 2x for HiDPI screens. */
export const THUMBNAIL_MAX_PX = 480
/** WebP quality of thumbnails: 80 is visually clean at a tenth of the bytes of a PNG. */
export const THUMBNAIL_WEBP_QUALITY = 80
export const THUMBNAIL_MIME = 'image/webp'
/**
 * Images with more pixels than this are not thumbnailed (the original is kept and shown as a file): decoding a
 * 100-megapixel image costs ~400 MB of memory, too much for a chat server to spend on one preview.
 */
export const THUMBNAIL_MAX_INPUT_PIXELS = 100_000_000

// ---- Message content (services/attachments/body.ts): what a Body may carry besides text ----

/** Images and videos: larger sides than this are not real media (the largest camera sensors are ~16k px). */
export const MEDIA_MAX_DIMENSION_PX = 65_535
/** Voice and video durations: a day is far past any recording a chat carries. */
export const MEDIA_MAX_DURATION_MS = 24 * 60 * 60_000
/** A location's address and place name (characters): a postal address fits in 512 with room to spare. */
export const LOCATION_ADDRESS_MAX_CHARS = 512
export const LOCATION_NAME_MAX_CHARS = 256
/** Command and custom messages: the action / event name, parameters per message, and each key's and value's size. */
export const COMMAND_ACTION_MAX_CHARS = 128
export const CUSTOM_EVENT_MAX_CHARS = 128
export const CONTENT_FIELDS_MAX = 32
export const CONTENT_FIELD_KEY_MAX_CHARS = 64
export const CONTENT_FIELD_VALUE_MAX_BYTES = 1024
/**
 * Combined (merged forward) messages: at most 100 messages (a screenful of selection), nested at most 2 deep (a
 * merged forward of a merged forward), and at most 48 KiB encoded so the frame stays under MAX_FRAME_BYTES (64 KiB).
 */
export const COMBINED_MAX_MESSAGES = 100
export const COMBINED_MAX_DEPTH = 2
export const COMBINED_MAX_BYTES = 48 * 1024
export const COMBINED_TITLE_MAX_CHARS = 256

// ---- Clean-up of finished attachments (collector.ts) ----

/**
 * PARLEY_ATTACHMENT_GRACE_HOURS: an attachment uploaded and finished but never named by a message is deleted this long
 * after it was finished. A day covers a client that completed the upload and went offline before sending the message
 * (its outbox sends it when it is back), like UPLOAD_ABANDON_MS for unfinished uploads.
 */
export const DEFAULT_ATTACHMENT_GRACE_HOURS = 24
/**
 * How often the collector looks for attachments no live message names (recall and expiry delete at once; this catches
 * the grace period running out, log retention dropping messages, and anything a crash cut short).
 */
export const ATTACHMENT_COLLECT_INTERVAL_MS = 10 * 60_000
/** Attachments examined per store call of a collection, so each call stays short on the writer thread. */
export const ATTACHMENT_COLLECT_BATCH = 500
/**
 * Rooms keep no messages on the server (only a live window), so a room send cannot be counted as a live reference: an
 * attachment shared in a room stays this long after its latest room send, for members who scroll back to it.
 */
export const ROOM_ATTACHMENT_KEEP_MS = 7 * 24 * 60 * 60_000
/**
 * An attachment a send has just checked is not collected for this long: the message's reference is recorded only
 * after the store commits it (a commit takes milliseconds; a minute is far past any stall).
 */
export const SEND_CHECK_GUARD_MS = 60_000

// ---- Files no row names (orphans.ts) ----

/**
 * A file without a row is deleted only once it is this old: creation, completion (which stamps the file it renames)
 * and thumbnails write a file just before committing its row, a step of seconds at most; an hour is far past it.
 */
export const ORPHAN_FILE_GRACE_MS = 60 * 60_000
/** File names looked up per store call by the orphan sweep (as ATTACHMENT_COLLECT_BATCH: short calls). */
export const ORPHAN_LOOKUP_BATCH = 500

/** A duration in hours from `name` (fractions allowed, 0 = at the next sweep), else `fallbackHours`; in ms. */
function hoursFromEnv(env: NodeJS.ProcessEnv, name: string, fallbackHours: number): number {
  const raw = env[name]?.trim()
  const hours = raw ? Number(raw) : fallbackHours
  if (!(hours >= 0) || !Number.isFinite(hours)) {
    throw new Error(`${name} must be 0 or a positive number of hours (got "${raw ?? ''}").`)
  }
  return Math.round(hours * 60 * 60_000)
}

/** The grace in ms: PARLEY_ATTACHMENT_GRACE_HOURS, else DEFAULT_ATTACHMENT_GRACE_HOURS (0 = at the next collection). */
export function attachmentGraceMsFromEnv(env: NodeJS.ProcessEnv): number {
  return hoursFromEnv(env, 'PARLEY_ATTACHMENT_GRACE_HOURS', DEFAULT_ATTACHMENT_GRACE_HOURS)
}

/** The abandon period in ms: PARLEY_UPLOAD_ABANDON_HOURS, else DEFAULT_UPLOAD_ABANDON_HOURS. */
export function uploadAbandonMsFromEnv(env: NodeJS.ProcessEnv): number {
  return hoursFromEnv(env, 'PARLEY_UPLOAD_ABANDON_HOURS', DEFAULT_UPLOAD_ABANDON_HOURS)
}
