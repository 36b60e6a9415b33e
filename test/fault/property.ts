// Owns the fault harness's verdict on one run: from what was sent and acked, the server's logs (read through its
// API) and every device's stored history, it counts lost, duplicated, reordered, stuck and failed messages, and
// devices of one user that disagree on history or unread counts. Pure: no I/O, so its rules can be read whole.
import type { DeviceSnapshot } from './snapshot'
import type { UserLog } from './server-log'

/** One message the harness asked a device to send; its text is unique in the run and names it everywhere. */
export interface SentMessage {
  text: string
  senderUser: string
  /** The sending device's label (per device, `order` increases in the order the user typed). */
  senderDevice: string
  order: number
  peer: string
}

export interface DeviceObservation {
  label: string
  user: string
  snapshot: DeviceSnapshot
}

export interface RunObservations {
  /** Every message the harness had a device store (sendText resolved), by text. */
  sent: ReadonlyMap<string, SentMessage>
  /** Texts of messages whose sender saw the server's ack (status 'sent'). */
  acked: ReadonlySet<string>
  /** Each user's log as the server serves it to a new device. */
  serverLogs: ReadonlyMap<string, UserLog>
  devices: readonly DeviceObservation[]
}

export interface Verdict {
  acked: number
  /** An acked message missing from a place it must be (the server log or a device of either side), per place. */
  lost: number
  /** Extra copies of one message in one place (one conversation of one log or device). */
  duplicated: number
  /** Messages of one sending device shown before a message that device sent earlier, per place. */
  reordered: number
  /** Messages that never reached 'sent' or 'failed' on their sending device ('sending', or gone from its outbox). */
  stuck: number
  /** Messages that ended 'failed' on their sending device (nothing in a run is permanently refusable). */
  failed: number
  /** Conversations whose acked history differs between two devices of one user. */
  diverged: number
  /** Conversations whose unread count differs between two devices of one user. */
  unreadMismatch: number
  /** Conversations whose list entry (preview, time, order) names another message than the newest in the chat. */
  stalePreview: number
  /** Sentences naming the first few violations, for a failing seed's report. */
  examples: string[]
}

const MAX_EXAMPLES = 12

interface Place {
  name: string
  /** Texts in the order the place holds them. */
  texts: string[]
}

export function judgeRun(observations: RunObservations): Verdict {
  const verdict: Verdict = {
    acked: observations.acked.size,
    lost: 0,
    duplicated: 0,
    reordered: 0,
    stuck: 0,
    failed: 0,
    diverged: 0,
    unreadMismatch: 0,
    stalePreview: 0,
    examples: []
  }
  const note = (sentence: string): void => {
    if (verdict.examples.length < MAX_EXAMPLES) verdict.examples.push(sentence)
  }
  const { sent, acked } = observations

  // Every place a conversation lives: the server log of each side and each device of each side.
  const places = new Map<string, Place>() // key: `${where}\n${conversation}`
  const placeKey = (where: string, conversation: string): string => `${where}\n${conversation}`
  for (const [user, log] of observations.serverLogs) {
    for (const [peer, messages] of log) {
      places.set(placeKey(`server:${user}`, peer), { name: `the server's log of ${user} (chat with ${peer})`, texts: messages.map((m) => m.text) })
    }
  }
  for (const device of observations.devices) {
    for (const conversation of device.snapshot.conversations) {
      places.set(placeKey(`device:${device.label}`, conversation.id), {
        name: `device ${device.label} (chat with ${conversation.id})`,
        texts: conversation.messages.map((m) => m.text)
      })
    }
  }

  // Lost: an acked message must be in both users' server logs and on every device of both users.
  const devicesOf = (user: string): DeviceObservation[] => observations.devices.filter((d) => d.user === user)
  for (const text of acked) {
    const message = sent.get(text)
    if (!message) continue
    const required: Array<[string, string]> = [
      [`server:${message.senderUser}`, message.peer],
      [`server:${message.peer}`, message.senderUser],
      ...devicesOf(message.senderUser).map((d): [string, string] => [`device:${d.label}`, message.peer]),
      ...devicesOf(message.peer).map((d): [string, string] => [`device:${d.label}`, message.senderUser])
    ]
    for (const [where, conversation] of required) {
      const place = places.get(placeKey(where, conversation))
      if (place?.texts.includes(text)) continue
      verdict.lost += 1
      note(`lost: "${text}" (acked) is missing from ${place?.name ?? `${where} (chat with ${conversation}: no such conversation)`}`)
    }
  }

  for (const place of places.values()) {
    // Duplicated: one message, more than one copy in one place.
    const seen = new Map<string, number>()
    for (const text of place.texts) if (sent.has(text)) seen.set(text, (seen.get(text) ?? 0) + 1)
    for (const [text, copies] of seen) {
      if (copies < 2) continue
      verdict.duplicated += copies - 1
      note(`duplicated: "${text}" appears ${copies} times in ${place.name}`)
    }
    // Reordered: per sending device, the typing order must hold in every place.
    const latest = new Map<string, number>()
    for (const text of place.texts) {
      const message = sent.get(text)
      if (!message) continue
      const before = latest.get(message.senderDevice) ?? -1
      if (message.order < before) {
        verdict.reordered += 1
        note(`reordered: "${text}" comes after a later message of ${message.senderDevice} in ${place.name}`)
      } else latest.set(message.senderDevice, message.order)
    }
  }

  // Stuck and failed: judged on the sending device, where the outbox lives.
  const byLabel = new Map(observations.devices.map((d) => [d.label, d]))
  for (const message of sent.values()) {
    const device = byLabel.get(message.senderDevice)
    if (!device) continue
    const stored = device.snapshot.conversations
      .find((c) => c.id === message.peer)
      ?.messages.find((m) => m.text === message.text)
    if (stored?.status === 'failed') {
      verdict.failed += 1
      note(`failed: "${message.text}" ended failed on ${device.label}`)
    } else if (!stored || stored.status === 'sending') {
      verdict.stuck += 1
      note(`stuck: "${message.text}" is ${stored ? "still 'sending'" : 'gone from its outbox'} on ${device.label}`)
    }
  }

  // The conversation list agrees with the chat: its preview is the newest message the chat shows.
  for (const device of observations.devices) {
    for (const conversation of device.snapshot.conversations) {
      const newest = conversation.messages.at(-1)?.id ?? null
      if (newest !== null && conversation.lastMessageId !== newest) {
        verdict.stalePreview += 1
        const listed = conversation.messages.find((m) => m.id === conversation.lastMessageId)
        const last = conversation.messages.at(-1)
        note(
          `stale preview: ${device.label} lists ${conversation.lastMessageId ?? 'nothing'} (seq ${listed?.seq ?? '?'}, "${listed?.text ?? '?'}") ` +
            `as the newest of the chat with ${conversation.id}; the chat ends with ${newest} (seq ${last?.seq ?? '?'}, "${last?.text ?? '?'}")`
        )
      }
    }
  }

  // Convergence: every device of one user shows the same acked history and the same unread count per conversation.
  const users = new Set(observations.devices.map((d) => d.user))
  for (const user of users) {
    const devices = devicesOf(user)
    const conversations = new Set(devices.flatMap((d) => d.snapshot.conversations.map((c) => c.id)))
    for (const conversation of conversations) {
      const views = devices.map((d) => {
        const found = d.snapshot.conversations.find((c) => c.id === conversation)
        const texts = (found?.messages ?? []).filter((m) => m.serverId !== null).map((m) => m.text)
        const readSeq = found?.readSeq ?? 0
        // What the device's own history says is unread (incoming after its pointer), beside the count it stores.
        const counted = (found?.messages ?? []).filter((m) => m.from !== d.user && m.seq !== null && m.seq > readSeq).length
        return { label: d.label, texts: texts.join('\n'), unread: found?.unread ?? 0, readSeq, counted }
      })
      const first = views[0]!
      const historyDiffers = views.find((v) => v.texts !== first.texts)
      if (historyDiffers) {
        verdict.diverged += 1
        note(`diverged: ${first.label} and ${historyDiffers.label} show different histories of the chat with ${conversation}`)
      }
      const unreadDiffers = views.find((v) => v.unread !== first.unread)
      if (unreadDiffers) {
        verdict.unreadMismatch += 1
        note(
          `unread: ${first.label} shows ${first.unread} unread in the chat with ${conversation} (read up to ${first.readSeq}, ` +
            `${first.counted} incoming after it in its history), ${unreadDiffers.label} shows ${unreadDiffers.unread} ` +
            `(read up to ${unreadDiffers.readSeq}, ${unreadDiffers.counted} after it)`
        )
      }
    }
  }
  return verdict
}

export function isClean(verdict: Verdict): boolean {
  return (
    verdict.lost + verdict.duplicated + verdict.reordered + verdict.stuck + verdict.failed + verdict.diverged + verdict.unreadMismatch + verdict.stalePreview ===
    0
  )
}
