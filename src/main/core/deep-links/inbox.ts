// Owns the hand-over of deep links to the window: links that arrive before the renderer can take them (a first
// launch by link, macOS open-url before ready, a reload) wait; the newest one wins. Electron-free.
import { parseDeepLink, type DeepLinkRejection, type DeepLinkTarget } from './parse'

export interface DeepLinkInboxOptions {
  /** A refused link: logged by the glue, never shown (a hostile page may send any string). */
  onRejected?: (reason: DeepLinkRejection) => void
}

export class DeepLinkInbox {
  private pending: DeepLinkTarget | null = null
  private deliver: ((target: DeepLinkTarget) => boolean) | null = null

  constructor(private readonly options: DeepLinkInboxOptions = {}) {}

  /** A link from outside (argv, open-url): parsed, then delivered now or kept for when the renderer is ready. */
  receive(raw: unknown): DeepLinkTarget | null {
    const parsed = parseDeepLink(raw)
    if (!parsed.ok) {
      this.options.onRejected?.(parsed.reason)
      return null
    }
    // Only the newest link matters: the user clicked it last.
    this.pending = parsed.target
    this.flush()
    return parsed.target
  }

  /** The renderer can take links: `deliver` says whether it did (false keeps the link for the next ready()). */
  ready(deliver: (target: DeepLinkTarget) => boolean): void {
    this.deliver = deliver
    this.flush()
  }

  /** The renderer went away (reload, closed window): links wait again. */
  notReady(): void {
    this.deliver = null
  }

  get waiting(): DeepLinkTarget | null {
    return this.pending
  }

  private flush(): void {
    if (!this.pending || !this.deliver) return
    if (this.deliver(this.pending)) this.pending = null
  }
}
