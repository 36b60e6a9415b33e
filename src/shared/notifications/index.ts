// The notifications domain's pure decisions, shared by the renderer (both shells) and the Electron shell: whether
// to notify, the badge number, do-not-disturb expiry, the tray's state.
export * from './dnd'
export * from './badge'
export * from './decide'
export * from './tray'
