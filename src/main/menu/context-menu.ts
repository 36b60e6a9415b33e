// Owns the right-click menu's layout in editable fields and selections: spelling suggestions, "Add to
// dictionary", then the edit commands the field allows. Electron-free (types only), so it is unit-tested.
import type { MenuItemConstructorOptions } from 'electron'
import type { MenuLabels } from './menu-labels'

/** What Electron's 'context-menu' event says about the click (the subset the menu needs). */
export interface ContextMenuFacts {
  isEditable: boolean
  selectionText: string
  misspelledWord: string
  dictionarySuggestions: string[]
  editFlags: { canUndo: boolean; canRedo: boolean; canCut: boolean; canCopy: boolean; canPaste: boolean; canSelectAll: boolean }
}

export interface ContextMenuActions {
  replaceMisspelling(suggestion: string): void
  addToDictionary(word: string): void
}

/** At most this many suggestions: Hunspell can offer a dozen, and the menu should stay short. */
export const MAX_SPELLING_SUGGESTIONS = 5

/** The items to show; empty means no menu (a click on plain text with nothing selected). */
export function buildContextMenu(facts: ContextMenuFacts, labels: MenuLabels, actions: ContextMenuActions): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = []
  if (facts.isEditable && facts.misspelledWord) {
    const suggestions = facts.dictionarySuggestions.slice(0, MAX_SPELLING_SUGGESTIONS)
    if (suggestions.length === 0) items.push({ label: labels.noSuggestions, enabled: false })
    for (const suggestion of suggestions) items.push({ label: suggestion, click: () => actions.replaceMisspelling(suggestion) })
    items.push({ label: labels.addToDictionary, click: () => actions.addToDictionary(facts.misspelledWord) })
    items.push({ type: 'separator' })
  }
  const flags = facts.editFlags
  if (facts.isEditable) {
    items.push(
      { role: 'undo', label: labels.undo, enabled: flags.canUndo },
      { role: 'redo', label: labels.redo, enabled: flags.canRedo },
      { type: 'separator' },
      { role: 'cut', label: labels.cut, enabled: flags.canCut },
      { role: 'copy', label: labels.copy, enabled: flags.canCopy },
      { role: 'paste', label: labels.paste, enabled: flags.canPaste },
      { type: 'separator' },
      { role: 'selectAll', label: labels.selectAll, enabled: flags.canSelectAll }
    )
  } else if (facts.selectionText.trim() !== '') {
    items.push({ role: 'copy', label: labels.copy, enabled: flags.canCopy })
  }
  return items
}
