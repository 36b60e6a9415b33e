// The one generated Content-Security-Policy (src/shared/csp.ts): each shell may connect only to itself and,
// in the browser host, exactly its bridge's loopback socket; no shell allows ws:/wss: to any host.
import { describe, expect, it } from 'vitest'
import { connectSources, contentSecurityPolicy, metaContentSecurityPolicy, type CspTarget } from '../../src/shared/csp'

function directives(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>()
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (name) {
      expect(map.has(name), `directive ${name} appears once`).toBe(false)
      map.set(name, sources)
    }
  }
  return map
}

const TARGETS: CspTarget[] = [
  { shell: 'electron' },
  { shell: 'electron-dev', devServerOrigin: 'http://localhost:5173' },
  { shell: 'browser-host', bridgePort: 3211 }
]

describe('content security policy', () => {
  it('lets the browser host connect only to its own origin and its bridge on 127.0.0.1:<port>', () => {
    const policy = directives(contentSecurityPolicy({ shell: 'browser-host', bridgePort: 45123 }))
    expect(policy.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:45123'])
    expect(policy.get('frame-ancestors')).toEqual(["'none'"])
  })

  it('lets built Electron files connect only to themselves and their cached attachments, and the dev server also to its own hot-reload socket', () => {
    expect(directives(contentSecurityPolicy({ shell: 'electron' })).get('connect-src')).toEqual(["'self'", 'parley-file:'])
    expect(connectSources({ shell: 'electron-dev', devServerOrigin: 'http://localhost:5173' })).toEqual(["'self'", 'parley-file:', 'ws://localhost:5173'])
  })

  it.each(TARGETS)('never allows a bare scheme, a wildcard or inline scripts ($shell)', (target) => {
    const policy = directives(contentSecurityPolicy(target))
    for (const [name, sources] of policy) {
      for (const source of sources) {
        expect(source, `${name} ${source}`).not.toMatch(/^(ws|wss|http|https):$|\*/)
      }
    }
    expect(policy.get('script-src')).toEqual(["'self'"])
    expect(policy.get('object-src')).toEqual(["'none'"])
    expect(policy.get('default-src')).toEqual(["'self'"])
  })

  it('builds the meta tag policy from the same directives, minus the header-only frame-ancestors', () => {
    const meta = directives(metaContentSecurityPolicy())
    const header = directives(contentSecurityPolicy({ shell: 'electron' }))
    header.delete('frame-ancestors')
    expect(meta).toEqual(header)
  })

  it('lets Electron show cached attachments from parley-file: only, and the browser host from its own origin only', () => {
    for (const target of [{ shell: 'electron' }, { shell: 'electron-dev', devServerOrigin: 'http://localhost:5173' }] as CspTarget[]) {
      const policy = directives(contentSecurityPolicy(target))
      expect(policy.get('img-src')).toEqual(["'self'", 'data:', 'blob:', 'parley-file:'])
      expect(policy.get('media-src')).toEqual(["'self'", 'blob:', 'parley-file:'])
      // Nothing else may load from the file scheme (no scripts, styles or frames); connect-src reads AMR voice bytes.
      for (const [name, sources] of policy) {
        if (name !== 'img-src' && name !== 'media-src' && name !== 'connect-src') expect(sources, name).not.toContain('parley-file:')
      }
    }
    const host = directives(contentSecurityPolicy({ shell: 'browser-host', bridgePort: 3211 }))
    expect(host.get('img-src')).toEqual(["'self'", 'data:', 'blob:'])
    expect(host.get('media-src')).toEqual(["'self'", 'blob:'])
    expect(metaContentSecurityPolicy()).toContain('parley-file:')
  })

  it('refuses a bridge port that is not a port', () => {
    expect(() => contentSecurityPolicy({ shell: 'browser-host', bridgePort: 0 })).toThrow(RangeError)
    expect(() => contentSecurityPolicy({ shell: 'browser-host', bridgePort: 70_000 })).toThrow(RangeError)
  })
})
