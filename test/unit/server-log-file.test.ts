// Unit tests for the embedded server's log file (src/main/server-process/log-file.ts): appended, rotated to one
// previous file past its cap, so the server's output never grows without bound.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SERVER_LOG_FILE, SERVER_LOG_PREVIOUS_FILE, ServerLogFile } from '../../src/main/server-process/log-file'
import { tempDir, type TempDir } from './store-helpers'

describe('server log file', () => {
  let dir: TempDir
  beforeEach(() => {
    dir = tempDir()
  })
  afterEach(() => dir.remove())

  it('appends, and rotates to one previous file when the cap would be passed', () => {
    const logs = path.join(dir.dir, 'logs')
    const file = new ServerLogFile(logs, 100)
    file.write('a'.repeat(60))
    file.write('b'.repeat(30))
    expect(fs.readFileSync(path.join(logs, SERVER_LOG_FILE), 'utf8')).toBe('a'.repeat(60) + 'b'.repeat(30))
    file.write('c'.repeat(30))
    expect(fs.readFileSync(path.join(logs, SERVER_LOG_PREVIOUS_FILE), 'utf8')).toBe('a'.repeat(60) + 'b'.repeat(30))
    expect(fs.readFileSync(path.join(logs, SERVER_LOG_FILE), 'utf8')).toBe('c'.repeat(30))
    for (let i = 0; i < 20; i++) file.write('d'.repeat(30))
    // Never more than two files, each at most the cap.
    expect(fs.readdirSync(logs).sort()).toEqual([SERVER_LOG_PREVIOUS_FILE, SERVER_LOG_FILE].sort())
    for (const name of fs.readdirSync(logs)) expect(fs.statSync(path.join(logs, name)).size).toBeLessThanOrEqual(100)
  })

  it('goes on from the size already on disk after a restart of the app', () => {
    const logs = path.join(dir.dir, 'logs')
    new ServerLogFile(logs, 100).write('x'.repeat(80))
    const again = new ServerLogFile(logs, 100)
    again.note('restarted')
    expect(fs.readFileSync(path.join(logs, SERVER_LOG_PREVIOUS_FILE), 'utf8')).toBe('x'.repeat(80))
    expect(fs.readFileSync(path.join(logs, SERVER_LOG_FILE), 'utf8')).toMatch(/\[app\] restarted\n$/)
  })
})
