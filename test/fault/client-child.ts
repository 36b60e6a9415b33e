// Owns the fault harness's client core in a child process (bundled to out/fault/client-child.js): signs in from
// its saved session (or the password the first time), sends what the parent says over IPC, reports acks.
// The parent SIGKILLs it with its outbox pending and starts it again on the same database.
import fs from 'node:fs'
import path from 'node:path'
import { ChatClient } from '../../src/main/core/client'
import type { SessionCredentials } from '../../src/main/core/types'
import type { ChildConfig, ChildMessage, ParentMessage } from './child-protocol'
import { snapshotDevice } from './snapshot'

const SAVED_SESSION_FILE = 'session.json'

function report(message: ChildMessage): void {
  process.send?.(message)
}

function saveSession(dataDir: string, credentials: SessionCredentials | null | undefined): void {
  if (!credentials) return
  const file = path.join(dataDir, SAVED_SESSION_FILE)
  // Write-then-rename: a kill mid-write must not leave half a file for the next start.
  fs.writeFileSync(file + '.tmp', JSON.stringify(credentials))
  fs.renameSync(file + '.tmp', file)
}

function loadSession(dataDir: string): SessionCredentials | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, SAVED_SESSION_FILE), 'utf8')) as SessionCredentials
  } catch {
    return null
  }
}

async function signIn(client: ChatClient, config: ChildConfig): Promise<boolean> {
  const saved = loadSession(config.dataDir)
  if (saved) {
    try {
      await client.resume(saved)
      return true
    } catch {
      // The saved token was refused: sign in with the password, as a user would.
    }
  }
  await client.login(config.user, config.password)
  return false
}

/** The child is spawned ahead of need (node start-up and loading the bundle take most of a second on a busy
 *  machine) and waits for its configuration. */
function awaitConfig(): Promise<ChildConfig> {
  return new Promise((resolve) => {
    const onMessage = (message: ParentMessage): void => {
      if (message.type !== 'start') return
      process.off('message', onMessage)
      resolve(message.config)
    }
    process.on('message', onMessage)
    report({ type: 'waiting' })
  })
}

async function main(): Promise<void> {
  const config = await awaitConfig()
  const client = new ChatClient({
    serverUrl: config.serverUrl,
    deviceId: config.deviceId,
    dataDir: config.dataDir,
    platform: 'desktop',
    timings: config.timings
  })
  client.on('message', (message) => {
    if (message.direction === 'out' && message.status === 'sent' && message.content.type === 'text') {
      report({ type: 'acked', id: message.id, text: message.content.text })
    }
  })
  current = client
  client.on('tokenRenewed', () => saveSession(config.dataDir, client.credentials))
  const resumed = await signIn(client, config)
  saveSession(config.dataDir, client.credentials)

  // One command at a time, in the order received: the parent's send order is the user's typing order.
  let queue: Promise<void> = Promise.resolve()
  process.on('message', (raw: ParentMessage) => {
    queue = queue.then(async () => {
      try {
        if (raw.type === 'send') {
          const message = await client.sendText(raw.to, raw.text)
          report({ type: 'stored', id: message.id, text: raw.text })
        } else if (raw.type === 'markRead') {
          await client.markRead(raw.conversationId)
        } else if (raw.type === 'snapshot') {
          report({ type: 'snapshot', snapshot: await snapshotDevice(client) })
        }
      } catch (err) {
        report({ type: 'failed', message: `${raw.type}: ${err instanceof Error ? err.message : String(err)}` })
      }
    })
  })
  report({ type: 'ready', resumed })
}

// A parent that goes away (or disconnects to stop this child) ends it, signed in or still waiting.
let current: ChatClient | null = null
process.on('disconnect', () => {
  void (current?.close() ?? Promise.resolve()).finally(() => process.exit(0))
})

main().catch((err: unknown) => {
  report({ type: 'failed', message: `start: ${err instanceof Error ? err.message : String(err)}` })
  process.exit(1)
})
