// The core's proxy choice: loopback never proxied, none / manual / system modes, Electron's PAC answers and the
// environment's HTTPS_PROXY / HTTP_PROXY / NO_PROXY (the browser host's "system").
import { describe, expect, it } from 'vitest'
import { chooseProxy, isLoopbackHost, proxyFromEnv, proxyFromPac } from '../../src/main/core/net/proxy'

const manual = { proxyMode: 'manual', proxyUrl: 'socks5://10.1.2.3:1080' } as const

describe('proxy choice', () => {
  it('never sends loopback traffic through a proxy, whatever the mode', () => {
    for (const url of ['http://127.0.0.1:3210/app', 'ws://localhost:3210/ws', 'http://[::1]:80/', 'https://127.8.9.10/', 'http://app.localhost/']) {
      expect(chooseProxy(url, manual, null)).toBeNull()
      expect(chooseProxy(url, { proxyMode: 'system', proxyUrl: null }, 'http://proxy.example:3128')).toBeNull()
    }
    expect(isLoopbackHost('128.0.0.1')).toBe(false)
    expect(isLoopbackHost('localhost.example.com')).toBe(false)
  })

  it('goes direct with none, through the address with manual, as the system says with system', () => {
    const remote = 'https://chat.example.com/ws'
    expect(chooseProxy(remote, { proxyMode: 'none', proxyUrl: 'http://ignored:1' }, 'http://sys:1')).toBeNull()
    expect(chooseProxy(remote, manual, 'http://sys:1')).toBe('socks5://10.1.2.3:1080')
    expect(chooseProxy(remote, { proxyMode: 'system', proxyUrl: null }, 'http://sys:1')).toBe('http://sys:1')
    expect(chooseProxy(remote, { proxyMode: 'system', proxyUrl: 'http://ignored:1' }, null)).toBeNull()
    expect(chooseProxy('not a url', manual, null)).toBeNull()
  })

  it("reads Electron's PAC answers: the first entry decides", () => {
    expect(proxyFromPac('DIRECT')).toBeNull()
    expect(proxyFromPac('PROXY proxy.corp:8080; DIRECT')).toBe('http://proxy.corp:8080')
    expect(proxyFromPac('HTTPS secure.corp:443')).toBe('https://secure.corp:443')
    expect(proxyFromPac('SOCKS5 10.0.0.1:1080; PROXY b:1')).toBe('socks5://10.0.0.1:1080')
    expect(proxyFromPac('SOCKS 10.0.0.1:1080')).toBe('socks4://10.0.0.1:1080')
    expect(proxyFromPac('DIRECT; PROXY a:1')).toBeNull()
    expect(proxyFromPac('')).toBeNull()
  })

  it('reads the environment like curl: scheme-specific variables, ALL_PROXY, NO_PROXY exemptions', () => {
    const env = { HTTPS_PROXY: 'http://secure-proxy:3128', http_proxy: 'plain-proxy:8080', NO_PROXY: 'internal.example, .corp.example,10.0.0.5:443' }
    expect(proxyFromEnv('https://chat.example.com/', env)).toBe('http://secure-proxy:3128')
    expect(proxyFromEnv('wss://chat.example.com/ws', env)).toBe('http://secure-proxy:3128')
    expect(proxyFromEnv('http://chat.example.com/', env)).toBe('http://plain-proxy:8080')
    expect(proxyFromEnv('ws://chat.example.com/ws', env)).toBe('http://plain-proxy:8080')
    expect(proxyFromEnv('https://internal.example/', env)).toBeNull()
    expect(proxyFromEnv('https://a.internal.example/', env)).toBeNull()
    expect(proxyFromEnv('https://chat.corp.example/', env)).toBeNull()
    expect(proxyFromEnv('https://10.0.0.5/', env)).toBeNull()
    expect(proxyFromEnv('http://10.0.0.5:80/', env)).toBe('http://plain-proxy:8080')
    expect(proxyFromEnv('https://notinternal.example/', env)).toBe('http://secure-proxy:3128')
    expect(proxyFromEnv('https://x.example/', { ALL_PROXY: 'socks5://s:1080' })).toBe('socks5://s:1080')
    expect(proxyFromEnv('https://x.example/', { ALL_PROXY: 'socks5://s:1080', NO_PROXY: '*' })).toBeNull()
    expect(proxyFromEnv('https://x.example/', {})).toBeNull()
  })
})
