import { describe, expect, it } from 'vitest'
import { isAppUrl } from '../../src/main/window/app-url'

describe('which URLs are the app itself (navigation guard, trusted IPC senders)', () => {
  const devOrigin = 'http://localhost:5173'
  const indexFile = 'file:///opt/Parley/resources/app.asar/out/renderer/index.html'

  it('accepts the dev server origin and nothing that merely starts with it', () => {
    expect(isAppUrl('http://localhost:5173/', devOrigin)).toBe(true)
    expect(isAppUrl('http://localhost:5173/#/chat', devOrigin)).toBe(true)
    expect(isAppUrl('http://localhost:5173.evil.example/', devOrigin)).toBe(false)
    expect(isAppUrl('http://localhost:51730/', devOrigin)).toBe(false)
    expect(isAppUrl('https://localhost:5173/', devOrigin)).toBe(false)
  })

  it('accepts the built index.html with any hash or query, and no other file', () => {
    expect(isAppUrl(indexFile, indexFile)).toBe(true)
    expect(isAppUrl(`${indexFile}#/chat?x=1`, indexFile)).toBe(true)
    expect(isAppUrl('file:///opt/Parley/resources/app.asar/out/renderer/index.html.evil', indexFile)).toBe(false)
    expect(isAppUrl('file:///etc/passwd', indexFile)).toBe(false)
  })

  it('refuses what is not a URL', () => {
    expect(isAppUrl('not a url', devOrigin)).toBe(false)
  })
})
