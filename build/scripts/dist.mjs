// Builds Parley's installers for the OS it runs on: icons from build/icon.svg, the app (electron-vite), then
// electron-builder with electron-builder.yml. The package.json dist:* scripts run electron-native.mjs first.
//   node build/scripts/dist.mjs linux|mac|win     (no argument: this OS's installers)
// PARLEY_UPDATE_URL: the HTTPS folder the installers and latest*.yml are uploaded to (auto-update feed). Unset,
// the build gets a placeholder and does not update itself (src/main/updates/update-policy.ts NO_UPDATE_FEED_URL).
import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const NO_UPDATE_FEED_URL = 'https://updates.invalid/parley'
const TARGETS = { linux: { platform: 'linux', flag: '--linux' }, mac: { platform: 'darwin', flag: '--mac' }, win: { platform: 'win32', flag: '--win' } }

function fail(message) {
  console.error(`\n[parley] ${message}\n`)
  process.exit(1)
}

const HOST_TARGET = { linux: 'linux', darwin: 'mac', win32: 'win' }[process.platform]
const name = process.argv[2] ?? HOST_TARGET
const target = TARGETS[name]
if (!target) fail(`Say which installers to build: node build/scripts/dist.mjs ${Object.keys(TARGETS).join('|')}.`)
if (target.platform !== process.platform) {
  fail(
    `The ${name} installers must be built on ${name === 'mac' ? 'macOS' : name === 'win' ? 'Windows' : 'Linux'}: ` +
      'they carry a native module (better-sqlite3) compiled for the OS that builds them.'
  )
}

const env = { ...process.env }
if (!env.PARLEY_UPDATE_URL) {
  env.PARLEY_UPDATE_URL = NO_UPDATE_FEED_URL
  console.log('[parley] PARLEY_UPDATE_URL is not set: this build will not update itself.')
}
const run = (command, args) => execFileSync(command, args, { cwd: root, env, stdio: 'inherit' })
const bin = (tool) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${tool}.cmd` : tool)
try {
  run(process.execPath, [join(root, 'build', 'scripts', 'icons.mjs')])
  run(bin('electron-vite'), ['build'])
  run(bin('electron-builder'), [target.flag, '--publish', 'never'])
} catch (err) {
  fail(`Building the ${name} installers failed: ${err.message.split('\n')[0]}`)
}
