// Runs once before the e2e tests: finds (or installs) the browser they drive and hands its path to every test
// file (helpers.ts CHROMIUM_PATH), or stops the run with one sentence saying what to install.
import type { TestProject } from 'vitest/node'
import { findBrowser, machineProbe } from '../support/browser-discovery'

declare module 'vitest' {
  export interface ProvidedContext {
    chromiumPath: string
  }
}

export default function setup(project: TestProject): void {
  const found = findBrowser(machineProbe())
  if (found.source !== 'system' && found.source !== 'CHROMIUM_PATH') console.log(`[e2e] using ${found.source} Chromium at ${found.path}`)
  project.provide('chromiumPath', found.path)
}
