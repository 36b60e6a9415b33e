// Owns the shapes the desktop shell pushes to the renderer (deep links, menu commands, update status), so the
// Electron glue, the core's deep-link parser and the renderer agree on them without importing each other.

export type DeepLinkKind = 'chat' | 'group' | 'room'

/** A parley:// link that passed the parser: which conversation it names, its id in canonical form. */
export interface DeepLinkTarget {
  kind: DeepLinkKind
  id: string
}

/** Menu commands the renderer carries out (the same as its keyboard shortcuts in the browser host). */
export type ShellCommand = 'search' | 'nextConversation' | 'previousConversation' | 'settings'

/** Where the auto-updater stands: 'ready' means a downloaded update waits for a restart. */
export type UpdateStatus =
  | { state: 'idle' }
  | { state: 'downloading'; version: string; percent: number }
  | { state: 'ready'; version: string }
  | { state: 'failed' }
