// Bundles the reference server (and the fault harness's client child) to plain ESM JavaScript that runs with
// `node` alone: deployments start out/server/cli.js, and tests spawn bundled children instead of a TS loader.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

// Native or heavyweight runtime dependencies stay in node_modules (better-sqlite3 is a native module; ws and
// protobufjs are ordinary dependencies installed next to the bundle, and bundling them buys nothing).
const EXTERNAL = ['better-sqlite3', 'ws', 'protobufjs', 'protobufjs/*', 'pg', 'ioredis', 'prom-client']

/** Entry points: [source, output folder]. A worker entry is bundled only once its source exists. */
const ENTRIES = [
  { src: 'src/server/cli.ts', outdir: 'out/server' },
  // The server's SQLite writer thread: loaded at run time next to the main file (new URL('./store-worker.js', import.meta.url)).
  { src: 'src/server/store/store-worker.ts', outdir: 'out/server', optional: true },
  // Its PostgreSQL I/O thread (cluster mode), started by the store thread from beside its own bundle.
  { src: 'src/server/store/postgres/pg-io-thread.ts', outdir: 'out/server', optional: true },
  // The fault harness's client core in a child process (test/fault/client-child.ts).
  { src: 'test/fault/client-child.ts', outdir: 'out/fault', optional: true },
  // Its store thread: the client core loads core-store-worker.js from beside the bundle that holds it.
  { src: 'src/main/core/store/worker/core-store-worker.ts', outdir: 'out/fault', optional: true }
]

// ESM bundles lose `require`; a dependency that calls it (CommonJS inside an ES module) gets one back.
const REQUIRE_SHIM = "import { createRequire as __parleyCreateRequire } from 'node:module'; const require = __parleyCreateRequire(import.meta.url);"

const quiet = process.argv.includes('--quiet')
const built = []
for (const entry of ENTRIES) {
  const source = join(root, entry.src)
  if (!existsSync(source)) {
    if (entry.optional) continue
    throw new Error(`missing entry point ${entry.src}`)
  }
  await build({
    entryPoints: [source],
    outdir: join(root, entry.outdir),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    external: EXTERNAL,
    banner: { js: REQUIRE_SHIM },
    logLevel: 'warning'
  })
  built.push(join(entry.outdir, entry.src.split('/').pop().replace(/\.ts$/, '.js')))
}
if (!quiet) console.log(`built ${built.join(', ')}`)
