// The shape of one BaseMenu entry, shared by every menu of the app (message actions, do not disturb, burn after
// reading): a stable id, the words, an optional icon, and what choosing it does.
import type { IconName } from './icons'
import type { MediaIconName } from './media-icons'

/** One entry of a menu. `run` may be async; what it throws comes back as the menu's `error` event, as a sentence. */
export interface BaseMenuItem {
  /** Stable id, also the test hook (`data-action`), e.g. 'reply', 'recall'. */
  id: string
  /** What the menu shows and a screen reader says. */
  label: string
  /**
   * An icon of the shared sets (icons.ts, media-icons.ts), or a short glyph drawn before the label. A glyph must be
   * in ordinary fonts (↩, ✎): an emoji shows as an empty box where no emoji font is installed.
   */
  icon?: IconName | MediaIconName | string
  /** A destructive item (recall, delete) is drawn in the danger colour. */
  danger?: boolean
  /** Set: the item is one of a choice (role=menuitemradio) and this says whether it is the current one. */
  checked?: boolean
  run: () => void | Promise<void>
}
