// Builds better-sqlite3 for Electron's ABI into node_modules/.parley-electron-native/, leaving the Node build in
// node_modules/better-sqlite3 untouched (the tests run under Node). The Electron main process loads this copy
// through better-sqlite3's `nativeBinding` option; installers ship it as an extra resource.
//   node build/scripts/electron-native.mjs          build if missing or stale (npm run dev / start / dist)
//   node build/scripts/electron-native.mjs --check  also fail unless the Electron binary itself is installed
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const require = createRequire(join(root, 'package.json'))
const outDir = join(root, 'node_modules', '.parley-electron-native')
const outFile = join(outDir, 'better_sqlite3.node')
const stampFile = join(outDir, 'stamp.json')
const ELECTRON_HEADERS_URL = 'https://electronjs.org/headers'

const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version
const sqlitePackageDir = dirname(require.resolve('better-sqlite3/package.json'))
const sqliteVersion = JSON.parse(readFileSync(join(sqlitePackageDir, 'package.json'), 'utf8')).version
const wanted = { electron: electronVersion, betterSqlite3: sqliteVersion, platform: process.platform, arch: process.arch }

function fail(message) {
  console.error(`\n[parley] ${message}\n`)
  process.exit(1)
}

function checkElectronBinary() {
  try {
    // The electron package resolves to the path of its binary, downloading it on first use.
    const binary = require('electron')
    if (typeof binary !== 'string' || !existsSync(binary)) throw new Error(`no binary at ${binary}`)
  } catch (err) {
    fail(
      `The Electron ${electronVersion} binary is not installed and could not be downloaded (${err.message.split('\n')[0]}).\n` +
        'Electron needs internet access on first run. Connect and run "npx install-electron", or use "npm run web" ' +
        'to run Parley in a browser instead.'
    )
  }
}

function upToDate() {
  if (!existsSync(outFile) || !existsSync(stampFile)) return false
  try {
    return JSON.stringify(JSON.parse(readFileSync(stampFile, 'utf8'))) === JSON.stringify(wanted)
  } catch {
    return false
  }
}

function build() {
  const work = mkdtempSync(join(tmpdir(), 'parley-electron-native-'))
  const copy = join(work, 'better-sqlite3')
  cpSync(sqlitePackageDir, copy, { recursive: true, filter: (src) => !src.includes(`${sqlitePackageDir}/build`) })
  // npm passes its own nodedir (Node's headers) down to node-gyp; Electron needs Electron's headers instead.
  const env = { ...process.env }
  for (const key of Object.keys(env)) if (key.toLowerCase() === 'npm_config_nodedir') delete env[key]
  const common = { cwd: copy, env, stdio: 'inherit' }
  const bin = (name) => join(root, 'node_modules', '.bin', name)
  try {
    try {
      execFileSync(bin('prebuild-install'), ['--runtime=electron', `--target=${electronVersion}`, `--arch=${process.arch}`, `--platform=${process.platform}`], common)
    } catch {
      console.log('[parley] no prebuilt better-sqlite3 for this Electron; compiling it (a few minutes)…')
      execFileSync(
        bin('node-gyp'),
        ['rebuild', '--release', `--target=${electronVersion}`, `--arch=${process.arch}`, `--dist-url=${ELECTRON_HEADERS_URL}`],
        common
      )
    }
    mkdirSync(outDir, { recursive: true })
    copyFileSync(join(copy, 'build', 'Release', 'better_sqlite3.node'), outFile)
    writeFileSync(stampFile, JSON.stringify(wanted))
    console.log(`[parley] built better-sqlite3 ${sqliteVersion} for Electron ${electronVersion}: ${outFile}`)
  } catch (err) {
    fail(
      `Could not build better-sqlite3 for Electron ${electronVersion}: ${err.message.split('\n')[0]}\n` +
        'This step downloads Electron headers (or a prebuilt module) and needs internet access and a C++ toolchain ' +
        '(see https://github.com/nodejs/node-gyp#installation). The Node build used by "npm test" is unaffected.'
    )
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

if (process.argv.includes('--check')) checkElectronBinary()
if (upToDate()) console.log(`[parley] better-sqlite3 for Electron ${electronVersion} is ready`)
else build()
