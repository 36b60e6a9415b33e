// Owns the application menu's layout: standard roles (app menu on macOS, Edit, View with zoom and full screen,
// Window, Help) plus Parley's commands with their shortcuts. Electron-free (types only), so it is unit-tested.
import type { MenuItemConstructorOptions } from 'electron'
import type { ShellCommand } from '../../shared/ipc/shell-events'
import type { MenuLabels } from './menu-labels'

export interface MenuTemplateOptions {
  platform: NodeJS.Platform
  labels: MenuLabels
  /** Development builds get Reload and the developer tools. */
  development: boolean
  /** A Parley command chosen from the menu or by its shortcut: forwarded to the renderer. */
  send: (command: ShellCommand) => void
}

/**
 * Each command's shortcuts; the first shows in the menu. The others are hidden items with the same command
 * (a menu item holds one accelerator), which Electron still answers on every platform.
 */
export function commandAccelerators(platform: NodeJS.Platform): Record<ShellCommand, string[]> {
  const mac = platform === 'darwin'
  return {
    search: ['CmdOrCtrl+K'],
    // Ctrl+Tab as in browsers and other messengers; Alt+Down / Up as in Slack and Discord (Windows, Linux) or
    // Cmd+Shift+] / [ as in macOS tab switching.
    nextConversation: ['Ctrl+Tab', mac ? 'Cmd+Shift+]' : 'Alt+Down'],
    previousConversation: ['Ctrl+Shift+Tab', mac ? 'Cmd+Shift+[' : 'Alt+Up'],
    settings: ['CmdOrCtrl+,']
  }
}

function commandItems(command: ShellCommand, label: string, options: MenuTemplateOptions): MenuItemConstructorOptions[] {
  const [shown, ...alternates] = commandAccelerators(options.platform)[command]
  const click = (): void => options.send(command)
  return [
    { label, accelerator: shown, click },
    ...alternates.map((accelerator): MenuItemConstructorOptions => ({ label, accelerator, click, visible: false, acceleratorWorksWhenHidden: true }))
  ]
}

export function buildMenuTemplate(options: MenuTemplateOptions): MenuItemConstructorOptions[] {
  const { labels: l, platform, development } = options
  const mac = platform === 'darwin'
  const settingsItems = commandItems('settings', l.settings, options)

  const appMenu: MenuItemConstructorOptions = {
    role: 'appMenu',
    label: 'Parley',
    submenu: [
      { role: 'about', label: l.about },
      { type: 'separator' },
      ...settingsItems,
      { type: 'separator' },
      { role: 'services', label: l.services },
      { type: 'separator' },
      { role: 'hide', label: l.hide },
      { role: 'hideOthers', label: l.hideOthers },
      { role: 'unhide', label: l.showAll },
      { type: 'separator' },
      { role: 'quit', label: l.quit }
    ]
  }
  const fileMenu: MenuItemConstructorOptions = {
    role: 'fileMenu',
    label: l.file,
    submenu: [...settingsItems, { type: 'separator' }, { role: 'quit', label: l.quit }]
  }
  const editMenu: MenuItemConstructorOptions = {
    role: 'editMenu',
    label: l.edit,
    submenu: [
      { role: 'undo', label: l.undo },
      { role: 'redo', label: l.redo },
      { type: 'separator' },
      { role: 'cut', label: l.cut },
      { role: 'copy', label: l.copy },
      { role: 'paste', label: l.paste },
      ...(mac ? [{ role: 'pasteAndMatchStyle', label: l.pasteAndMatchStyle } as const] : []),
      { role: 'selectAll', label: l.selectAll }
    ]
  }
  const viewMenu: MenuItemConstructorOptions = {
    role: 'viewMenu',
    label: l.view,
    submenu: [
      ...commandItems('search', l.search, options),
      ...commandItems('nextConversation', l.nextConversation, options),
      ...commandItems('previousConversation', l.previousConversation, options),
      { type: 'separator' },
      { role: 'zoomIn', label: l.zoomIn },
      // The role's own shortcut is Ctrl/Cmd+Plus, which needs Shift on many layouts; Ctrl/Cmd+= as in browsers.
      { role: 'zoomIn', label: l.zoomIn, accelerator: 'CmdOrCtrl+=', visible: false, acceleratorWorksWhenHidden: true },
      { role: 'zoomOut', label: l.zoomOut },
      { role: 'resetZoom', label: l.resetZoom },
      { type: 'separator' },
      { role: 'togglefullscreen', label: l.toggleFullScreen },
      ...(development
        ? [{ type: 'separator' } as const, { role: 'reload', label: l.reload } as const, { role: 'toggleDevTools', label: l.toggleDevTools } as const]
        : [])
    ]
  }
  const windowMenu: MenuItemConstructorOptions = {
    role: 'windowMenu',
    label: l.window,
    submenu: mac
      ? [{ role: 'minimize', label: l.minimize }, { role: 'zoom', label: l.zoom }, { type: 'separator' }, { role: 'front', label: l.front }]
      : [{ role: 'minimize', label: l.minimize }, { role: 'close', label: l.close }]
  }
  const helpMenu: MenuItemConstructorOptions = {
    role: 'help',
    label: l.help,
    // macOS has "About" in the app menu; elsewhere it lives here.
    submenu: mac ? [] : [{ role: 'about', label: l.about }]
  }
  return [...(mac ? [appMenu] : [fileMenu]), editMenu, viewMenu, windowMenu, helpMenu]
}
