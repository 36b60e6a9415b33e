// The attachment transfer types every layer speaks: which file of a message, a transfer's state as the core
// reports it (progress bars), and where a cached file can be shown. Plain data: crosses IPC and the host socket.

/** Which file of a message: its attachment, the server's thumbnail of it, or a video's poster frame. */
export type AttachmentWhich = 'file' | 'thumbnail' | 'poster'

export type TransferDirection = 'upload' | 'download'

export type TransferState = 'queued' | 'running' | 'done' | 'failed' | 'canceled'

/** One upload or download as the `transfer` push event reports it. */
export interface TransferEvent {
  /** Stable for the same file of the same message: 'up:<messageId>:<which>' / 'down:<messageId>:<which>'. */
  transferId: string
  messageId: string
  /** The server's id of the bytes ('' while an upload has not completed). */
  attachmentId: string
  direction: TransferDirection
  which: AttachmentWhich
  state: TransferState
  /** Bytes moved so far (a resumed transfer starts from what it already had). */
  transferred: number
  /** Bytes in all; 0 when not known yet (a thumbnail before its answer). */
  total: number
  /** Why it failed, as a sentence; null otherwise. */
  error: string | null
  /** What the renderer puts in <img>/<audio>/<video> for the cached file once it is there; null otherwise. */
  url: string | null
}

/** What attachments.saveAs did: saved to a folder the user picked, or a URL the browser downloads. */
export interface SaveAsResult {
  /** The path written (Electron); null when the user canceled the dialog or the shell has none. */
  savedTo: string | null
  /** Browser host: open this URL to download the file; null in Electron. */
  downloadUrl: string | null
}
