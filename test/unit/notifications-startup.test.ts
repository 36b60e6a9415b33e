// Which startup settings apply: login item only for a packaged app, start hidden only at a login launch with a
// tray to come back from, close to tray only with a tray.
import { describe, expect, it } from 'vitest'
import { START_HIDDEN_ARG, startupPlan, type StartupPlatform } from '../../src/main/core/notifications/startup'

const packaged: StartupPlatform = { platform: 'win32', isPackaged: true, trayAvailable: true, argv: ['parley.exe'], openedAtLogin: false }
const all = { launchAtLogin: true, startMinimised: true, closeToTray: true }

describe('startup plan', () => {
  it('registers the login item, with the hidden argument when starting minimised, only for a packaged app', () => {
    expect(startupPlan(all, packaged).loginItem).toEqual({ openAtLogin: true, args: [START_HIDDEN_ARG] })
    expect(startupPlan({ ...all, launchAtLogin: false }, packaged).loginItem).toEqual({ openAtLogin: false, args: [] })
    expect(startupPlan(all, { ...packaged, isPackaged: false }).loginItem).toBeNull()
  })

  it('starts hidden only when launched at login and a tray exists', () => {
    expect(startupPlan(all, packaged).startHidden).toBe(false)
    expect(startupPlan(all, { ...packaged, argv: ['parley.exe', START_HIDDEN_ARG] }).startHidden).toBe(true)
    expect(startupPlan(all, { ...packaged, platform: 'darwin', openedAtLogin: true }).startHidden).toBe(true)
    expect(startupPlan(all, { ...packaged, platform: 'win32', openedAtLogin: true }).startHidden).toBe(false)
    expect(startupPlan(all, { ...packaged, argv: [START_HIDDEN_ARG], trayAvailable: false }).startHidden).toBe(false)
    expect(startupPlan({ ...all, startMinimised: false }, { ...packaged, argv: [START_HIDDEN_ARG] }).startHidden).toBe(false)
  })

  it('closes to the tray only when there is one', () => {
    expect(startupPlan(all, packaged).closeToTray).toBe(true)
    expect(startupPlan(all, { ...packaged, trayAvailable: false }).closeToTray).toBe(false)
    expect(startupPlan({ ...all, closeToTray: false }, packaged).closeToTray).toBe(false)
  })
})
