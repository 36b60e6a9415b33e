// Shared fixtures for the roaming-store unit tests: message factories, log entries as the server writes them, temp
// folders for file-backed databases (real SQLite files, removed after each test) and a worker store per test.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach } from 'vitest'
import type { WireEvent } from '../../src/main/core/protocol/messages'
import { openWorkerMessageStore, type WorkerMessageStore } from '../../src/main/core/store/worker/worker-store'
import type { ChatMessage, ConversationKey } from '../../src/shared/model'

export const ME = 'alice'

/** The key of the single chat with `peer`. */
export function chat(peer: string): ConversationKey {
  return { type: 'single', id: peer }
}

export function newId(): string {
  return randomBytes(16).toString('hex')
}

/** An incoming, acked text message in a single chat with `peer`. */
export function incoming(peer: string, seq: number, text = `message ${seq}`, overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: newId(),
    serverId: seq * 10,
    conversationId: peer,
    chatType: 'single',
    from: peer,
    to: ME,
    direction: 'in',
    content: { type: 'text', text },
    timestamp: 1_790_000_000_000 + seq * 1_000,
    seq,
    status: 'received',
    error: null,
    ...overrides
  }
}

/** An outgoing message as the composer creates it: in the outbox, not yet acked. */
export function outgoing(peer: string, text: string, timestamp = Date.now()): ChatMessage {
  return {
    id: newId(),
    serverId: null,
    conversationId: peer,
    chatType: 'single',
    from: ME,
    to: peer,
    direction: 'out',
    content: { type: 'text', text },
    timestamp,
    seq: null,
    status: 'sending',
    error: null
  }
}

export interface TempDir {
  dir: string
  file(name: string): string
  remove(): void
}

export function tempDir(): TempDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-'))
  return {
    dir,
    file: (name) => path.join(dir, name),
    remove: () => fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** A log entry of a 1:1 message between ME and `peer`, as the server writes it (`fromMe`: sent by ME). */
export function wireMessage(seq: number, peer: string, body: NonNullable<WireEvent['message']>['body'], fromMe = false): WireEvent {
  return {
    seq,
    message: {
      serverId: 500 + seq,
      clientId: randomBytes(16),
      from: fromMe ? ME : peer,
      to: fromMe ? peer : ME,
      timestamp: 1_700_000_000_000 + seq,
      body
    }
  }
}

/** A store in its worker thread on a fresh file for each test of the calling describe (closed and removed after). */
export function workerStoreForEachTest(): { store(): WorkerMessageStore } {
  let dir: TempDir | null = null
  let store: WorkerMessageStore | null = null
  beforeEach(async () => {
    dir = tempDir()
    store = await openWorkerMessageStore(dir.file('alice.sqlite'))
  })
  afterEach(async () => {
    await store?.close()
    dir?.remove()
  })
  return {
    store: () => {
      if (!store) throw new Error('the worker store opens in beforeEach')
      return store
    }
  }
}
