// The embedded server's process runs below the priority of the process that runs the core: nice 10 on POSIX (every
// thread of it on Linux, where the nice value is per thread), BELOW_NORMAL on Windows; the caller keeps its own.
import fs from 'node:fs'
import os from 'node:os'
import { spawn, type ChildProcess } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { lowerProcessPriority, serverProcessPriority, SERVER_PROCESS_NICE } from '../../src/main/server-process/process-priority'

/** The nice value of each thread of a process (field 19 of /proc/<pid>/task/<tid>/stat, after the name). */
function threadNices(pid: number): number[] {
  return fs.readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
  })
}

describe('server process priority', () => {
  let child: ChildProcess | null = null
  afterEach(() => {
    child?.kill('SIGKILL')
    child = null
  })

  it('is BELOW_NORMAL on Windows and nice 10 elsewhere', () => {
    expect(serverProcessPriority('win32')).toBe(os.constants.priority.PRIORITY_BELOW_NORMAL)
    expect(serverProcessPriority('darwin')).toBe(SERVER_PROCESS_NICE)
    expect(serverProcessPriority('linux')).toBe(SERVER_PROCESS_NICE)
  })

  it.runIf(process.platform === 'linux')('lowers every thread of a running process, not the caller', async () => {
    const ownBefore = threadNices(process.pid)
    child = spawn(process.execPath, ['-e', 'process.stdout.write("up"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'ignore'] })
    await new Promise((resolve) => child!.stdout!.once('data', resolve))
    const pid = child.pid!
    expect(threadNices(pid).length).toBeGreaterThan(1)
    lowerProcessPriority(pid)
    expect(threadNices(pid)).toEqual(threadNices(pid).map(() => SERVER_PROCESS_NICE))
    expect(threadNices(process.pid)).toEqual(ownBefore)
  })

  it('leaves a process that is gone alone', () => {
    expect(() => lowerProcessPriority(2 ** 22 + 12_345)).not.toThrow()
  })
})
