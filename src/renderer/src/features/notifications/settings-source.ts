// Owns where the notifications feature reads the device's settings (notifications, badge): ONE accessor, so that
// wiring the settings helper's IPC is one change here. Until `settings.get` / `settings.changed` exist on main
// (branch i8-settings), a fresh install's defaults apply.
import { ref, type Ref } from 'vue'
import { defaultDeviceSettings, type DeviceSettings } from '../../../../shared/model/settings'

const settings = ref<DeviceSettings>(defaultDeviceSettings())
let started = false

/**
 * The device's settings, live. To wire the settings IPC, replace the body of `start` with:
 *   void bridge.invoke('settings.get').then((value) => (settings.value = value))
 *   bridge.on('settings.changed', (value) => (settings.value = value))
 */
export function useDeviceSettings(): Readonly<Ref<DeviceSettings>> {
  if (!started) {
    started = true
    start()
  }
  return settings
}

function start(): void {
  // Defaults until the settings IPC is merged (see above).
}
