// Owns which proxy (if any) the core's own network calls use — the chat socket, sign-in and attachment HTTP run in
// Node and see no system proxy by themselves: the choice per target URL, and the proxy-agent Agent that applies it.
import type { Agent } from 'node:http'
import { ProxyAgent } from 'proxy-agent'
import type { NetworkSettings } from '../../../shared/model/settings'
import { createLogger } from '../../../shared/logger'

const log = createLogger('core:proxy')

/** The system's proxy for a URL: a proxy URL, or null to connect directly. */
export type SystemProxyResolver = (targetUrl: string) => Promise<string | null>

/** Loopback names: a server on this machine is never reached through a proxy. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host) || host === '0:0:0:0:0:0:0:1'
}

/** Whether a request to the URL may go through a proxy at all (not loopback, a URL at all). */
function needsRouting(targetUrl: string): boolean {
  try {
    return !isLoopbackHost(new URL(targetUrl).hostname)
  } catch {
    return false
  }
}

/**
 * The proxy for one request: null = direct. Loopback targets always go direct; 'none' goes direct; 'manual' uses
 * the configured address; 'system' uses what the system said (`systemProxy`, asked only in that mode).
 */
export function chooseProxy(targetUrl: string, network: Pick<NetworkSettings, 'proxyMode' | 'proxyUrl'>, systemProxy: string | null): string | null {
  if (!needsRouting(targetUrl)) return null
  if (network.proxyMode === 'none') return null
  if (network.proxyMode === 'manual') return network.proxyUrl
  return systemProxy
}

/** The schemes a PAC answer names, as proxy-agent's URL schemes. */
const PAC_SCHEMES: Readonly<Record<string, string>> = {
  PROXY: 'http',
  HTTP: 'http',
  HTTPS: 'https',
  SOCKS: 'socks4',
  SOCKS4: 'socks4',
  SOCKS5: 'socks5'
}

/**
 * Electron's session.resolveProxy answers in PAC form ("PROXY host:port; DIRECT"): the first entry decides,
 * DIRECT (or nothing usable) = null.
 */
export function proxyFromPac(pac: string): string | null {
  for (const entry of pac.split(';')) {
    const [kind, hostPort] = entry.trim().split(/\s+/)
    if (!kind) continue
    if (kind.toUpperCase() === 'DIRECT') return null
    const scheme = PAC_SCHEMES[kind.toUpperCase()]
    if (scheme && hostPort) return `${scheme}://${hostPort}`
  }
  return null
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()]
  return value && value.trim() ? value.trim() : undefined
}

/** Whether NO_PROXY ("host, .domain, *.domain, host:port, *") exempts the target. */
function exemptByNoProxy(target: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const port = target.port || (target.protocol === 'https:' || target.protocol === 'wss:' ? '443' : '80')
  for (const rawEntry of noProxy.split(/[\s,]+/)) {
    const entry = rawEntry.trim().toLowerCase()
    if (!entry) continue
    if (entry === '*') return true
    const match = /^(.*?)(?::(\d+))?$/.exec(entry)
    const entryHost = (match?.[1] ?? entry).replace(/^\*/, '')
    const entryPort = match?.[2]
    if (entryPort && entryPort !== port) continue
    if (entryHost.startsWith('.') ? host.endsWith(entryHost) || host === entryHost.slice(1) : host === entryHost || host.endsWith('.' + entryHost)) return true
  }
  return false
}

/**
 * The environment's proxy for a URL, as curl and most command-line tools read it: HTTPS_PROXY for https/wss,
 * HTTP_PROXY for http/ws, ALL_PROXY otherwise, none when NO_PROXY names the host. (The browser host's "system".)
 */
export function proxyFromEnv(targetUrl: string, env: NodeJS.ProcessEnv): string | null {
  let target: URL
  try {
    target = new URL(targetUrl)
  } catch {
    return null
  }
  if (exemptByNoProxy(target, envValue(env, 'no_proxy'))) return null
  const secure = target.protocol === 'https:' || target.protocol === 'wss:'
  const proxy = (secure ? envValue(env, 'https_proxy') : envValue(env, 'http_proxy')) ?? envValue(env, 'all_proxy')
  if (!proxy) return null
  // "host:port" without a scheme is an HTTP proxy by convention.
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`
}

/** The browser host's "system" proxy: its process environment. */
export const environmentProxyResolver: SystemProxyResolver = async (targetUrl) => proxyFromEnv(targetUrl, process.env)

/**
 * One Agent for every core request of a device: each request asks the current settings (so a change applies to the
 * next connection, without restarting anything) and, in 'system' mode, the system.
 */
export function createProxyAgent(network: () => NetworkSettings, resolveSystem: SystemProxyResolver): Agent {
  return new ProxyAgent({
    getProxyForUrl: async (url: string) => {
      const settings = network()
      let system: string | null = null
      if (settings.proxyMode === 'system' && needsRouting(url)) {
        try {
          system = await resolveSystem(url)
        } catch (err) {
          log.warn('could not ask the system for its proxy; connecting directly', { error: String(err) })
        }
      }
      const proxy = chooseProxy(url, settings, system)
      if (proxy) log.debug('using a proxy', { mode: settings.proxyMode })
      return proxy ?? ''
    }
  })
}
