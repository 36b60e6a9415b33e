// Owns finding a built entry (a worker thread's or a child process's .js) beside the bundle that asks for it: in its
// folder, or one folder up when the bundler put the asking module in a shared `chunks/` folder.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** `fileName` beside `moduleUrl`'s folder or its parent, the first that exists (else the first, for the error). */
export function entryBesideBundle(fileName: string, moduleUrl: string): URL {
  const candidates = [`./${fileName}`, `../${fileName}`].map((relative) => new URL(relative, moduleUrl))
  return candidates.find((url) => url.protocol !== 'file:' || existsSync(fileURLToPath(url))) ?? (candidates[0] as URL)
}
