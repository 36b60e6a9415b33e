// The native menus as data: the label table complete in English and Simplified Chinese, the standard roles and
// Parley's commands with their shortcuts per platform, the spelling context menu, the spellchecker dictionaries.
import { describe, expect, it } from 'vitest'
import type { MenuItemConstructorOptions } from 'electron'
import en from '../../src/renderer/src/i18n/locales/en/shell.json'
import zhCN from '../../src/renderer/src/i18n/locales/zh-CN/shell.json'
import { menuLabels, menuLocale, MENU_LOCALES } from '../../src/main/menu/menu-labels'
import { buildMenuTemplate, commandAccelerators } from '../../src/main/menu/menu-template'
import { buildContextMenu, MAX_SPELLING_SUGGESTIONS, type ContextMenuFacts } from '../../src/main/menu/context-menu'
import { spellcheckLanguages } from '../../src/main/menu/spellcheck-languages'
import type { ShellCommand } from '../../src/shared/ipc/shell-events'

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])])
}

function template(platform: NodeJS.Platform, locale: 'en' | 'zh-CN' = 'en', sent: ShellCommand[] = []) {
  return buildMenuTemplate({ platform, labels: menuLabels(locale), development: false, send: (command) => sent.push(command) })
}

describe('menu labels', () => {
  it('have every label in both languages, none empty, and the Chinese ones translated', () => {
    const keys = Object.keys(en.menu).sort()
    expect(Object.keys(zhCN.menu).sort()).toEqual(keys)
    for (const locale of MENU_LOCALES) {
      const labels = menuLabels(locale) as Record<string, string>
      for (const key of keys) expect(labels[key]?.trim(), `${locale} ${key}`).toBeTruthy()
    }
    const english = menuLabels('en') as Record<string, string>
    const chinese = menuLabels('zh-CN') as Record<string, string>
    expect(keys.filter((key) => english[key] === chinese[key])).toEqual([])
  })

  it('every label the menus use comes from the table of the chosen language', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      for (const locale of MENU_LOCALES) {
        const table = new Set(Object.values(menuLabels(locale)))
        const labels = flatten(template(platform, locale)).filter((item) => item.type !== 'separator').map((item) => item.label)
        // The macOS app menu carries the product name.
        expect(labels.filter((label) => label !== 'Parley' && !table.has(label ?? ''))).toEqual([])
      }
    }
  })

  it('follow the chosen locale, else the system language', () => {
    expect(menuLocale('zh-CN', 'en-US')).toBe('zh-CN')
    expect(menuLocale(null, 'zh-TW')).toBe('zh-CN')
    expect(menuLocale(null, 'de')).toBe('en')
  })
})

describe('application menu', () => {
  it('has the standard menus with their roles', () => {
    const roles = (platform: NodeJS.Platform) => flatten(template(platform)).map((item) => item.role).filter(Boolean)
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      expect(roles(platform)).toEqual(
        expect.arrayContaining(['editMenu', 'undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'viewMenu', 'zoomIn', 'zoomOut', 'resetZoom', 'togglefullscreen', 'windowMenu', 'help'])
      )
    }
    expect(flatten(template('linux')).find((item) => item.role === 'zoomIn' && item.visible === false)?.accelerator).toBe('CmdOrCtrl+=')
    expect(template('darwin')[0]?.role).toBe('appMenu')
    expect(template('win32')[0]?.role).toBe('fileMenu')
    expect(roles('linux')).not.toContain('appMenu')
  })

  it('sends each command from its items, with the shortcuts of the platform', () => {
    const sent: ShellCommand[] = []
    const items = flatten(template('win32', 'en', sent))
    const byAccelerator = new Map(items.filter((item) => item.accelerator).map((item) => [String(item.accelerator), item]))
    const press = (accelerator: string) => (byAccelerator.get(accelerator)?.click as (() => void) | undefined)?.()
    for (const accelerator of ['CmdOrCtrl+K', 'Ctrl+Tab', 'Alt+Down', 'Ctrl+Shift+Tab', 'Alt+Up', 'CmdOrCtrl+,']) press(accelerator)
    expect(sent).toEqual(['search', 'nextConversation', 'nextConversation', 'previousConversation', 'previousConversation', 'settings'])
    // The second shortcut of a command is a hidden item: one visible "Next Conversation".
    expect(items.filter((item) => item.label === 'Next Conversation' && item.visible !== false)).toHaveLength(1)
    expect(commandAccelerators('darwin').nextConversation).toEqual(['Ctrl+Tab', 'Cmd+Shift+]'])
    expect(commandAccelerators('darwin').previousConversation).toEqual(['Ctrl+Shift+Tab', 'Cmd+Shift+['])
  })

  it('offers Reload and the developer tools only in development', () => {
    const dev = buildMenuTemplate({ platform: 'linux', labels: menuLabels('en'), development: true, send: () => undefined })
    expect(flatten(dev).map((item) => item.role)).toContain('toggleDevTools')
    expect(flatten(template('linux')).map((item) => item.role)).not.toContain('toggleDevTools')
  })
})

describe('context menu', () => {
  const flags = { canUndo: true, canRedo: false, canCut: true, canCopy: true, canPaste: true, canSelectAll: true }
  const facts = (over: Partial<ContextMenuFacts>): ContextMenuFacts => ({
    isEditable: true,
    selectionText: '',
    misspelledWord: '',
    dictionarySuggestions: [],
    editFlags: flags,
    ...over
  })

  it('offers the suggestions for a misspelt word, replaces it and adds words to the dictionary', () => {
    const replaced: string[] = []
    const added: string[] = []
    const actions = { replaceMisspelling: (s: string) => replaced.push(s), addToDictionary: (w: string) => added.push(w) }
    const suggestions = ['hello', 'hallo', 'hell', 'helot', 'hells', 'jello', 'cello']
    const items = buildContextMenu(facts({ misspelledWord: 'helo', dictionarySuggestions: suggestions }), menuLabels('en'), actions)
    const labels = items.map((item) => item.label)
    expect(labels.slice(0, MAX_SPELLING_SUGGESTIONS)).toEqual(suggestions.slice(0, MAX_SPELLING_SUGGESTIONS))
    ;(items[0]!.click as () => void)()
    ;(items.find((item) => item.label === 'Add to Dictionary')!.click as () => void)()
    expect(replaced).toEqual(['hello'])
    expect(added).toEqual(['helo'])
    expect(items.find((item) => item.role === 'redo')?.enabled).toBe(false)
  })

  it('says when there is no suggestion, shows only Copy on a selection, and nothing on plain text', () => {
    const actions = { replaceMisspelling: () => undefined, addToDictionary: () => undefined }
    expect(buildContextMenu(facts({ misspelledWord: 'qzx' }), menuLabels('zh-CN'), actions)[0]).toMatchObject({ label: '没有拼写建议', enabled: false })
    expect(buildContextMenu(facts({ isEditable: false, selectionText: 'hi' }), menuLabels('en'), actions).map((i) => i.role)).toEqual(['copy'])
    expect(buildContextMenu(facts({ isEditable: false }), menuLabels('en'), actions)).toEqual([])
  })
})

describe('spellcheckLanguages', () => {
  const available = ['en-US', 'en-GB', 'fr-FR', 'de']
  it('keeps the chosen dictionaries this Electron has, matching a bare language to a regional one', () => {
    expect(spellcheckLanguages({ enabled: true, languages: ['EN-gb', 'fr', 'de', 'xx'] }, available)).toEqual(['en-GB', 'fr-FR', 'de'])
  })
  it('leaves the system default when nothing usable is chosen or spellcheck is off', () => {
    expect(spellcheckLanguages({ enabled: true, languages: [] }, available)).toBeNull()
    expect(spellcheckLanguages({ enabled: true, languages: ['xx'] }, available)).toBeNull()
    expect(spellcheckLanguages({ enabled: false, languages: ['de'] }, available)).toBeNull()
  })
})
