// Owns the desktop shortcuts the renderer answers itself in the browser host (the Electron menu answers them in
// the desktop app): next / previous conversation. Ctrl/Cmd+K is the search feature's own shortcut, and Ctrl/Cmd+,
// the settings feature's.
import type { ShellCommand } from '../../../../shared/ipc/shell-events'

export type ShortcutKeys = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>

/**
 * The command a key press asks for, or null. Everywhere: Ctrl+Tab / Ctrl+Shift+Tab. Windows and Linux:
 * Alt+Down / Alt+Up. macOS: Cmd+Shift+] / [ (by key position: Shift turns ']' into '}'). The same keys as the
 * Electron menu (src/main/menu/menu-template.ts commandAccelerators).
 */
export function shellShortcutOf(keys: ShortcutKeys, mac: boolean): Extract<ShellCommand, 'nextConversation' | 'previousConversation'> | null {
  if (keys.ctrlKey && !keys.metaKey && !keys.altKey && keys.key === 'Tab') return keys.shiftKey ? 'previousConversation' : 'nextConversation'
  if (mac && keys.metaKey && keys.shiftKey && !keys.ctrlKey && !keys.altKey) {
    if (keys.code === 'BracketRight') return 'nextConversation'
    if (keys.code === 'BracketLeft') return 'previousConversation'
  }
  if (!mac && keys.altKey && !keys.ctrlKey && !keys.metaKey && !keys.shiftKey) {
    if (keys.key === 'ArrowDown') return 'nextConversation'
    if (keys.key === 'ArrowUp') return 'previousConversation'
  }
  return null
}

/**
 * The conversation `step` places after (1) or before (-1) `current` in the list's order, wrapping at the ends;
 * with none open, the first (next) or the last (previous). Null for an empty list.
 */
export function neighbourKey(keys: readonly string[], current: string | null, step: 1 | -1): string | null {
  if (keys.length === 0) return null
  const at = current === null ? -1 : keys.indexOf(current)
  if (at < 0) return step === 1 ? keys[0]! : keys[keys.length - 1]!
  return keys[(at + step + keys.length) % keys.length]!
}
