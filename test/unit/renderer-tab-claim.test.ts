// A duplicated browser tab inherits sessionStorage and with it the tab id; the claim on a shared channel gives
// the duplicate a new id (a new device) while a reload, with no live owner, keeps its id.
import { describe, expect, it } from 'vitest'
import { claimTabId, type ClaimChannel, type TabIdStore } from '../../src/renderer/src/bridge/tab-claim'

/** Same-profile BroadcastChannels: a message reaches every other member, asynchronously. */
function channelHub(): () => ClaimChannel {
  const members: ClaimChannel[] = []
  return () => {
    const member: ClaimChannel = {
      onmessage: null,
      postMessage(message) {
        for (const other of members) {
          if (other !== member) setTimeout(() => other.onmessage?.({ data: structuredClone(message) }), 1)
        }
      }
    }
    members.push(member)
    return member
  }
}

function storage(initial: string | null): TabIdStore & { value: string | null } {
  return {
    value: initial,
    get() {
      return this.value
    },
    set(id) {
      this.value = id
    }
  }
}

let counter = 0
const newId = (): string => `id-${(counter += 1).toString().padStart(4, '0')}`
const WAIT_MS = 30

describe('tab id claim', () => {
  it('keeps the id on a reload (no live tab owns it)', async () => {
    const join = channelHub()
    const store = storage('tab-original')
    expect(await claimTabId({ store, newId, channel: join(), waitMs: WAIT_MS })).toBe('tab-original')
  })

  it('gives a duplicated tab a new id while the original keeps its own', async () => {
    const join = channelHub()
    const original = storage('tab-original')
    expect(await claimTabId({ store: original, newId, channel: join(), waitMs: WAIT_MS })).toBe('tab-original')
    const duplicate = storage('tab-original') // sessionStorage copied by "Duplicate tab"
    const claimed = await claimTabId({ store: duplicate, newId, channel: join(), waitMs: WAIT_MS })
    expect(claimed).not.toBe('tab-original')
    expect(duplicate.value).toBe(claimed)
    expect(original.value).toBe('tab-original')
  })

  it('lets exactly one of two tabs starting at once with the same id keep it', async () => {
    const join = channelHub()
    const [a, b] = [storage('tab-restored'), storage('tab-restored')]
    const ids = await Promise.all([
      claimTabId({ store: a, newId, channel: join(), waitMs: WAIT_MS }),
      claimTabId({ store: b, newId, channel: join(), waitMs: WAIT_MS })
    ])
    expect(new Set(ids).size).toBe(2)
    expect(ids.filter((id) => id === 'tab-restored')).toHaveLength(1)
  })

  it('mints an id for a new tab, and works without a channel', async () => {
    const store = storage(null)
    const id = await claimTabId({ store, newId, channel: null })
    expect(id).toMatch(/^id-/)
    expect(store.value).toBe(id)
  })
})
