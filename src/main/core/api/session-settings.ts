// Owns a core session's device settings: the settings file opened once (before sign-in too), the snapshot its
// synchronous readers use (proxy, downloads), the sign-in form's default server and the proxy-aware network Agent.
import type { Agent } from 'node:http'
import { join } from 'node:path'
import { defaultDeviceSettings, type DeviceSettings } from '../../../shared/model/settings'
import { DeviceSettingsStore } from '../settings'
import { createProxyAgent, environmentProxyResolver, type SystemProxyResolver } from '../net/proxy'

export interface SessionSettingsOptions {
  /** The device's folder: settings.json goes there unless `file` says otherwise. */
  dataDir: string
  /** The settings file; undefined: settings.json in dataDir; null: memory only. */
  file?: string | null
  /** The system's preferred languages, best first (a first start takes the interface language from them). */
  systemLanguages?: readonly string[]
  /** The proxy setting "system"; default: HTTPS_PROXY/HTTP_PROXY/NO_PROXY. */
  resolveSystemProxy?: SystemProxyResolver
  /** The shell's server when the settings name none. */
  defaultServerUrl: string
  /** Every change, after the snapshot moved (the session pushes settings.changed). */
  onChange: (settings: DeviceSettings) => void
}

export class SessionSettings {
  /** The device's settings file, opened once. */
  readonly store: Promise<DeviceSettingsStore>
  /** The settings as last loaded or changed, for the core's synchronous readers (proxy, auto-download). */
  private snapshot: DeviceSettings = defaultDeviceSettings()
  /** The network route of every client of this session (its proxy setting), made at the first use. */
  private agent: Agent | null = null

  constructor(private readonly options: SessionSettingsOptions) {
    this.store = DeviceSettingsStore.open({
      file: options.file === undefined ? join(options.dataDir, 'settings.json') : options.file,
      systemLanguages: options.systemLanguages ?? []
    }).then((store) => {
      this.snapshot = store.current
      store.onChange((settings) => {
        this.snapshot = settings
        options.onChange(settings)
      })
      return store
    })
  }

  /** The settings as last loaded or changed (the defaults until the file is read). */
  get current(): DeviceSettings {
    return this.snapshot
  }

  /** The sign-in form's server when it names none: the one in the settings, else the shell's. */
  async defaultServerUrl(): Promise<string> {
    const store = await this.store
    return store.current.network.serverUrl ?? this.options.defaultServerUrl
  }

  /** One proxy-aware Agent per session: it reads the current settings at every connection it makes. */
  async networkAgent(): Promise<Agent> {
    await this.store
    this.agent ??= createProxyAgent(() => this.snapshot.network, this.options.resolveSystemProxy ?? environmentProxyResolver)
    return this.agent
  }

  /** Closes the Agent's sockets (the session is disposed). */
  dispose(): void {
    this.agent?.destroy()
  }
}
