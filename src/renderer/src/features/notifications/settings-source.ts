// Owns where the notifications feature reads the device's settings (notifications, badge): ONE accessor, fed by
// `settings.get` and kept live by `settings.changed` (a fresh install's defaults until the first answer).
import { ref, type Ref } from 'vue'
import { defaultDeviceSettings, type DeviceSettings } from '../../../../shared/model/settings'
import { bridge } from '../../bridge'

const settings = ref<DeviceSettings>(defaultDeviceSettings())
let started = false

/** The device's settings, live. */
export function useDeviceSettings(): Readonly<Ref<DeviceSettings>> {
  if (!started) {
    started = true
    start()
  }
  return settings
}

function start(): void {
  void bridge.invoke('settings.get').then(
    (value) => (settings.value = value),
    (err: unknown) => console.warn('[renderer:notifications] could not read the device settings; using the defaults', err)
  )
  bridge.on('settings.changed', (value) => (settings.value = value))
}
