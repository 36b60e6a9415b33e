// The platform API's app credential through the server's CLI (a real child process): printed once on the first
// start and never again, and `rotate-credential` run beside a running server takes effect on it at once.
import { spawn, type ChildProcess } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { makeTempDir, removeDir } from '../support/test-server'

/** How long a child server may take to start from TypeScript sources (tsx compiles on the way, 2 shared cores). */
const START_TIMEOUT_MS = 30_000
const CREDENTIAL_PATTERN = /parley_app_[A-Za-z0-9_-]+/

const CLI = ['--import', 'tsx', 'src/server/cli.ts']

interface RunningServer {
  child: ChildProcess
  url: string
  output: () => string
}

function startCli(dataDir: string): Promise<RunningServer> {
  const child = spawn(process.execPath, [...CLI, '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, PARLEY_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${stdout}`)), START_TIMEOUT_MS)
    const check = (): void => {
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1]
      // The credential lines follow the URL line in the same write burst; wait for the closing hint when first start.
      if (url && (!CREDENTIAL_PATTERN.test(stdout) || stdout.includes('rotate it with'))) {
        clearTimeout(timer)
        resolve({ child, url, output: () => stdout })
      }
    }
    child.stdout?.on('data', () => setTimeout(check, 200))
    child.once('exit', (code) => reject(new Error(`the server exited (${code}): ${stdout}`)))
  })
}

async function stopCli(server: RunningServer): Promise<void> {
  if (server.child.exitCode !== null) return
  const exited = new Promise((resolve) => server.child.once('exit', resolve))
  server.child.kill('SIGTERM')
  await exited
}

function runRotate(dataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, 'rotate-credential', '--data-dir', dataDir], {
      env: { ...process.env, PARLEY_LOG: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`rotate-credential exited ${code}: ${output}`))))
  })
}

async function status(url: string, credential: string): Promise<number> {
  const response = await fetch(`${url}/api/platform/v1/users`, { headers: { authorization: `Bearer ${credential}` } })
  return response.status
}

describe('platform credential through the CLI', () => {
  const dataDir = makeTempDir()
  const running: RunningServer[] = []

  afterAll(async () => {
    await Promise.all(running.map(stopCli))
    removeDir(dataDir)
  })

  it('prints the credential on the first start only; rotate-credential binds the running server at once', async () => {
    const first = await startCli(dataDir)
    running.push(first)
    const credential = CREDENTIAL_PATTERN.exec(first.output())?.[0]
    expect(credential, first.output()).toBeTruthy()
    expect(await status(first.url, credential as string)).toBe(200)
    await stopCli(first)

    const second = await startCli(dataDir)
    running.push(second)
    expect(second.output()).not.toMatch(CREDENTIAL_PATTERN)
    expect(await status(second.url, credential as string)).toBe(200)

    const rotated = await runRotate(dataDir)
    const fresh = CREDENTIAL_PATTERN.exec(rotated)?.[0]
    expect(fresh, rotated).toBeTruthy()
    expect(fresh).not.toBe(credential)
    // The running server reads the stored hash per request: the old credential is refused at once.
    expect(await status(second.url, credential as string)).toBe(401)
    expect(await status(second.url, fresh as string)).toBe(200)
    expect(second.output()).not.toMatch(CREDENTIAL_PATTERN)
  }, 120_000)
})
