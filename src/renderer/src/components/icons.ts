// The icon set's drawings (24x24 line paths, Feather-style) keyed by name; BaseIcon renders them.
// Adding an icon = adding a name and its paths here.
export type IconName = 'compose' | 'sun' | 'moon' | 'signOut' | 'send' | 'check' | 'clock' | 'alert' | 'chat' | 'close' | 'offline' | 'back' | 'info' | 'users' | 'contacts' | 'rooms' | 'search'

export const ICON_PATHS: Record<IconName, string[]> = {
  compose: ['M12 20h9', 'M16.5 3.5a2.12 2.12 0 0 1 3 3L7 19l-4 1 1-4Z'],
  sun: ['M12 4V2', 'M12 22v-2', 'M4.93 4.93 3.51 3.51', 'M20.49 20.49l-1.42-1.42', 'M4 12H2', 'M22 12h-2', 'M4.93 19.07l-1.42 1.42', 'M20.49 3.51l-1.42 1.42', 'M16 12a4 4 0 1 1-8 0 4 4 0 0 1 8 0Z'],
  moon: ['M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8Z'],
  signOut: ['M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4', 'M16 17l5-5-5-5', 'M21 12H9'],
  send: ['M22 2 11 13', 'M22 2 15 22l-4-9-9-4Z'],
  check: ['M20 6 9 17l-5-5'],
  clock: ['M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20Z', 'M12 6v6l4 2'],
  alert: ['M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20Z', 'M12 8v4', 'M12 16h.01'],
  chat: ['M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2Z'],
  close: ['M18 6 6 18', 'M6 6l12 12'],
  back: ['M19 12H5', 'M12 19l-7-7 7-7'],
  info: ['M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20Z', 'M12 16v-4', 'M12 8h.01'],
  users: ['M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2', 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Z', 'M23 21v-2a4 4 0 0 0-3-3.87', 'M16 3.13a4 4 0 0 1 0 7.75'],
  contacts: ['M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2', 'M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Z'],
  rooms: ['M3 11l18-8-8 18-2-8-8-2Z'],
  search: ['M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16Z', 'M21 21l-4.35-4.35'],
  offline: ['M2 2l20 20', 'M8.5 16.5a5 5 0 0 1 7 0', 'M5 12.5a10 10 0 0 1 5.2-2.8', 'M19 12.5a10 10 0 0 0-2.2-1.6', 'M12 20h.01']
}
