// The browser host's embedded server in its own child process (as the Electron app's utilityProcess): it reports
// its address, chat works through it, a SIGKILLed child is restarted on the same port and the clients reconnect
// and catch up, its output goes to the log file, stopping the host leaves no server process behind, and it runs at
// a lower CPU priority than the host.
import fs from 'node:fs'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resolveWebConfig } from '../../src/host/web-config'
import { startWeb, type RunningWeb } from '../../src/host/web-run'
import { ChatClient } from '../../src/main/core/client'
import { FAST_TIMINGS, localHistory, makeTempDir, registerUsers, removeDir, TEST_PASSWORD, textOf, uniqueUser, waitFor } from './helpers/env'
import { SERVER_LOG_FILE } from '../../src/main/server-process/log-file'
import { SERVER_PROCESS_NICE } from '../../src/main/server-process/process-priority'

/** A Linux thread's nice value: field 19 of /proc/<pid>/task/<tid>/stat (fields counted after the name's ')'). */
function niceOf(pid: number, tid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

describe('the browser host runs its server in a child process', () => {
  let tmp: string
  let rendererDir: string
  let web: RunningWeb | null = null
  const clients: ChatClient[] = []

  beforeEach(() => {
    tmp = makeTempDir()
    rendererDir = path.join(tmp, 'renderer')
    fs.mkdirSync(rendererDir)
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Parley</title>')
  })
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()))
    clients.length = 0
    await web?.close()
    web = null
    removeDir(tmp)
  })

  function device(label: string, serverUrl: string): ChatClient {
    const client = new ChatClient({ serverUrl, deviceId: `${label}-${randomUUID()}`, dataDir: path.join(tmp, `device-${label}`), platform: 'web', timings: FAST_TIMINGS })
    clients.push(client)
    return client
  }

  it('starts, chats, is restarted on the same port after a SIGKILL, and is gone after stop', async () => {
    const config = resolveWebConfig(['--port', '0'], { PARLEY_DATA_DIR: path.join(tmp, 'data'), PARLEY_PORT: '0' }, tmp)
    const notices: string[] = []
    web = await startWeb(config, { rendererDir, version: 'test', onPlatformCredential: (notice) => notices.push(notice) })
    const firstPid = web.serverPid()
    expect(firstPid).not.toBeNull()
    expect(firstPid).not.toBe(process.pid)
    expect(isRunning(firstPid!)).toBe(true)
    // The first start of a data folder hands the platform credential to the shell, which shows it.
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatch(/Platform API app credential/)
    const url = web.serverUrl

    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers({ url } as never, alice, bob)
    const a = device('a', url)
    const b = device('b', url)
    await a.login(alice, TEST_PASSWORD)
    await b.login(bob, TEST_PASSWORD)
    await a.sendText(bob, 'before the crash')
    await waitFor('bob gets the first message', async () => (await localHistory(b, alice)).some((m) => textOf(m) === 'before the crash'))

    // A crash of the server process: the supervisor starts another on the same port.
    process.kill(firstPid!, 'SIGKILL')
    // Written while the server is down: kept in the outbox, sent once it is back.
    await a.sendText(bob, 'during the outage')
    await waitFor('the server process is restarted', () => {
      const pid = web?.serverPid() ?? null
      return pid !== null && pid !== firstPid
    })
    const secondPid = web.serverPid()!
    expect(isRunning(firstPid!)).toBe(false)
    expect(web.serverUrl).toBe(url)

    // The clients reconnect to the same address and catch up: the message written during the outage arrives once.
    await waitFor('bob catches up on the message written during the outage', async () => (await localHistory(b, alice)).some((m) => textOf(m) === 'during the outage'))
    await a.sendText(bob, 'after the crash')
    await waitFor('bob gets the message sent after the crash', async () => (await localHistory(b, alice)).some((m) => textOf(m) === 'after the crash'))
    await b.sendText(alice, 'got both')
    await waitFor('alice gets the reply', async () => (await localHistory(a, bob)).some((m) => textOf(m) === 'got both'))
    expect((await localHistory(b, alice)).map(textOf)).toEqual(['before the crash', 'during the outage', 'after the crash', 'got both'])

    // Its output and the restart are in the log file in the data folder's logs/.
    const logText = fs.readFileSync(path.join(web.serverLogDir!, SERVER_LOG_FILE), 'utf8')
    expect(logText).toMatch(/listening on/)
    expect(logText).toMatch(/exited unexpectedly/)
    expect(logText).toMatch(/restarted on/)
    // web.serverUrl is the address of the first start (a constant): the child's own report says where it came back.
    expect(logText).toContain(`restarted on ${url}`)

    // Stopping the host stops the child for good: no orphan keeps the port or the database.
    await Promise.all(clients.map((c) => c.close()))
    clients.length = 0
    await web.close()
    web = null
    expect(isRunning(secondPid)).toBe(false)
  })

  it.skipIf(process.platform !== 'linux')('runs the server at the lower CPU priority, every thread of it', async () => {
    const hostNice = niceOf(process.pid, process.pid)
    const config = resolveWebConfig(['--port', '0'], { PARLEY_DATA_DIR: path.join(tmp, 'data'), PARLEY_PORT: '0' }, tmp)
    web = await startWeb(config, { rendererDir, version: 'test' })
    const pid = web.serverPid()!
    expect(niceOf(pid, pid)).toBe(SERVER_PROCESS_NICE)
    const threads = fs.readdirSync(`/proc/${pid}/task`).map(Number)
    expect(threads.length).toBeGreaterThan(1)
    expect(threads.map((tid) => niceOf(pid, tid))).toEqual(threads.map(() => SERVER_PROCESS_NICE))
    // This process, which runs the core, keeps its priority.
    expect(niceOf(process.pid, process.pid)).toBe(hostNice)
  })
})
