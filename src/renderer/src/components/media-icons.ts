// The message features' line icons (24x24, Feather-style like icons.ts) and the file-type icon of a file, kept
// apart from icons.ts so that list stays short; BaseIcon renders both sets.
export type MediaIconName =
  | 'paperclip' | 'mic' | 'smile' | 'file' | 'fileImage' | 'fileAudio' | 'fileVideo' | 'fileArchive' | 'fileText'
  | 'more' | 'play' | 'pause' | 'download' | 'folder' | 'external' | 'mapPin' | 'zoomIn' | 'zoomOut' | 'maximize' | 'stop' | 'trash' | 'pin' | 'copy' | 'layers' | 'save' | 'x'

const FILE_BASE = ['M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8Z', 'M14 2v6h6']

export const MEDIA_ICON_PATHS: Record<MediaIconName, string[]> = {
  paperclip: ['m21.44 11.05-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48'],
  mic: ['M12 2a3 3 0 0 0-3 3v7a3 3 0 0 0 6 0V5a3 3 0 0 0-3-3Z', 'M19 10v2a7 7 0 0 1-14 0v-2', 'M12 19v3', 'M8 22h8'],
  smile: ['M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20Z', 'M8 14s1.5 2 4 2 4-2 4-2', 'M9 9h.01', 'M15 9h.01'],
  file: FILE_BASE,
  fileImage: [...FILE_BASE, 'M10 13a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3Z', 'm20 17-3.5-3.5L8 20'],
  fileAudio: [...FILE_BASE, 'M10 18a2 2 0 1 1-2-2 2 2 0 0 1 2 2Zm0 0v-6l4-1'],
  fileVideo: [...FILE_BASE, 'm10 11 5 3-5 3Z'],
  fileArchive: [...FILE_BASE, 'M10 10h2', 'M10 13h2', 'M10 16h2'],
  fileText: [...FILE_BASE, 'M16 13H8', 'M16 17H8', 'M10 9H8'],
  more: ['M12 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z', 'M19 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z', 'M5 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z'],
  play: ['M6 4l14 8-14 8Z'],
  pause: ['M6 4h4v16H6Z', 'M14 4h4v16h-4Z'],
  download: ['M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4', 'M7 10l5 5 5-5', 'M12 15V3'],
  folder: ['M22 19a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h5l2 3h9a2 2 0 0 1 2 2Z'],
  external: ['M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6', 'M15 3h6v6', 'M10 14 21 3'],
  mapPin: ['M21 10c0 7-9 13-9 13S3 17 3 10a9 9 0 0 1 18 0Z', 'M12 13a3 3 0 1 0 0-6 3 3 0 0 0 0 6Z'],
  zoomIn: ['M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16Z', 'm21 21-4.35-4.35', 'M11 8v6', 'M8 11h6'],
  zoomOut: ['M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16Z', 'm21 21-4.35-4.35', 'M8 11h6'],
  maximize: ['M8 3H5a2 2 0 0 0-2 2v3', 'M21 8V5a2 2 0 0 0-2-2h-3', 'M3 16v3a2 2 0 0 0 2 2h3', 'M16 21h3a2 2 0 0 0 2-2v-3'],
  stop: ['M6 6h12v12H6Z'],
  pin: ['M12 17v5', 'M9 10.76a2 2 0 0 1-1.11 1.79l-1.78.9A2 2 0 0 0 5 15.24V16a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-.76a2 2 0 0 0-1.11-1.79l-1.78-.9A2 2 0 0 1 15 10.76V7a1 1 0 0 1 1-1 2 2 0 0 0 0-4H8a2 2 0 0 0 0 4 1 1 0 0 1 1 1Z'],
  copy: ['M11 9h9a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-9a2 2 0 0 1-2-2v-9a2 2 0 0 1 2-2Z', 'M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1'],
  trash: ['M3 6h18', 'M19 6v14a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2V6', 'M8 6V4a2 2 0 0 1 2-2h4a2 2 0 0 1 2 2v2'],
  layers: ['m12 2 10 5-10 5L2 7Z', 'm2 17 10 5 10-5', 'm2 12 10 5 10-5'],
  save: ['M19 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h11l5 5v11a2 2 0 0 1-2 2Z', 'M17 21v-8H7v8', 'M7 3v5h8'],
  x: ['M18 6 6 18', 'M6 6l12 12']
}

/** The icon for a file of this type (by MIME type, then by name). */
export function fileIconFor(mime: string, name: string): MediaIconName {
  const type = mime.toLowerCase()
  if (type.startsWith('image/')) return 'fileImage'
  if (type.startsWith('audio/')) return 'fileAudio'
  if (type.startsWith('video/')) return 'fileVideo'
  if (/zip|tar|gzip|7z|rar|compressed/.test(type) || /\.(zip|tar|gz|tgz|7z|rar)$/i.test(name)) return 'fileArchive'
  if (type.startsWith('text/') || /pdf|document|msword|sheet|presentation/.test(type)) return 'fileText'
  return 'file'
}
