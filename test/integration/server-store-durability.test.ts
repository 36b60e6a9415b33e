// Proves the ack-after-commit guarantee with real crashes: the bundled server runs as a child process, is killed
// with SIGKILL while group commits are in flight, restarts, and every acked message is still in both logs, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientIdToHex, type DecodedFrame } from '../../src/shared/proto/codec'
import { FrameClient, randomClientId, registerAndLogin, type Login } from '../bench/lib/frame-client'
import { ServerProcess, buildBundles } from '../fault/processes'
import { makeTempDir, removeDir } from '../support/test-server'

/** SIGKILLs in one run: each one lands while several senders have sends in flight. */
const KILLS = 3
/** Each round ends with a kill once this many sends of the round were acked (counted, not timed). */
const ACKS_PER_ROUND = 120
/** Sends each sender keeps in flight: enough that commits carry several messages when the kill lands. */
const WINDOW = 8
/** Limit per sync request (the server caps it; small enough that paging is exercised). */
const SYNC_PAGE = 100

interface AckedSend {
  sender: string
  recipient: string
  clientId: string
  seq: number
}

interface LoggedMessage {
  seq: number
  from: string
  clientId: string
}

function baseUrl(server: ServerProcess): string {
  return `http://127.0.0.1:${server.port}`
}

/** Every message event of the user's log, through the sync API, from a device of its own. */
async function readWholeLog(url: string, account: Login): Promise<LoggedMessage[]> {
  const client = await FrameClient.onDevice(url, account, 'verifier')
  const messages: LoggedMessage[] = []
  let cursor = 0
  try {
    for (;;) {
      const reply = await client.request({ sync: { afterSeq: cursor, limit: SYNC_PAGE } })
      const batch = reply.syncBatch
      if (!batch) throw new Error(`expected a sync batch, got ${JSON.stringify(reply)}`)
      for (const event of batch.events ?? []) {
        cursor = Number(event.seq)
        if (event.message) {
          messages.push({ seq: cursor, from: event.message.from ?? '', clientId: clientIdToHex(event.message.clientId!) })
        }
      }
      if (!batch.hasMore) return messages
    }
  } finally {
    await client.close()
  }
}

describe('durability under SIGKILL', () => {
  const dataDir = makeTempDir()
  const server = new ServerProcess(dataDir)
  const pairs: [string, string][] = [
    ['ann', 'ben'],
    ['ben', 'ann'],
    ['cat', 'dan'],
    ['dan', 'cat']
  ]
  const accounts = new Map<string, Login>()

  beforeAll(async () => {
    await buildBundles()
    await server.start()
    for (const name of ['ann', 'ben', 'cat', 'dan']) accounts.set(name, await registerAndLogin(baseUrl(server), name))
  })
  afterAll(async () => {
    await server.stop()
    removeDir(dataDir)
  })

  it('keeps every acked message, once, across kills in the middle of group commits', async () => {
    const acked: AckedSend[] = []
    let sent = 0

    for (let round = 0; round < KILLS; round++) {
      if (!server.running) await server.start()
      const url = baseUrl(server)
      const roundStart = acked.length
      let killing: Promise<void> | null = null
      const senders = await Promise.all(
        pairs.map(async ([sender]) => FrameClient.onDevice(url, accounts.get(sender)!, `sender-${round}`))
      )

      const lane = async (client: FrameClient, sender: string, recipient: string): Promise<void> => {
        const closed = client.waitForClose(60_000).then(
          () => null,
          () => null
        )
        while (!killing && client.isOpen) {
          const clientId = randomClientId()
          sent++
          const reply: DecodedFrame | null = await Promise.race([
            client.request({ send: { clientId, to: recipient, body: { text: { text: `${sender} ${sent}` } } } }, 30_000).catch(() => null),
            closed
          ])
          if (!reply) return
          if (!reply.sendAck) throw new Error(`a send was refused: ${JSON.stringify(reply)}`)
          acked.push({ sender, recipient, clientId: clientIdToHex(clientId), seq: Number(reply.sendAck.seq) })
          // The kill is scheduled by count: it lands while the other lanes' sends are queued or committing.
          if (!killing && acked.length - roundStart >= ACKS_PER_ROUND) killing = server.kill()
        }
      }
      await Promise.all(
        senders.flatMap((client, index) => {
          const [sender, recipient] = pairs[index]!
          return Array.from({ length: WINDOW }, () => lane(client, sender, recipient))
        })
      )
      await killing
      for (const client of senders) client.socket.terminate()
    }

    await server.start()
    const url = baseUrl(server)
    const logs = new Map<string, LoggedMessage[]>()
    for (const [name, account] of accounts) logs.set(name, await readWholeLog(url, account))

    expect(acked.length).toBeGreaterThanOrEqual(KILLS * ACKS_PER_ROUND)
    // Some sends were in flight at each kill and never acked: the test really cut through group commits.
    expect(sent).toBeGreaterThan(acked.length)
    for (const [name, log] of logs) {
      const seqs = log.map((entry) => entry.seq)
      expect(new Set(seqs).size, `duplicate sequence in ${name}'s log`).toBe(seqs.length)
      const ids = log.map((entry) => `${entry.from}/${entry.clientId}`)
      expect(new Set(ids).size, `a message twice in ${name}'s log`).toBe(ids.length)
    }
    const missing: string[] = []
    for (const send of acked) {
      const senderEntry = logs.get(send.sender)!.find((entry) => entry.clientId === send.clientId && entry.from === send.sender)
      if (!senderEntry || senderEntry.seq !== send.seq) missing.push(`${send.sender} seq ${send.seq}`)
      const recipientCopies = logs.get(send.recipient)!.filter((entry) => entry.clientId === send.clientId && entry.from === send.sender)
      if (recipientCopies.length !== 1) missing.push(`${send.recipient} has ${recipientCopies.length} copies of ${send.clientId}`)
    }
    expect(missing).toEqual([])
  })
})
