// The online registry's group subscriptions: filled from the loader when a user's first device comes online,
// changed by joins and leaves (also while the list loads), cleaned up when sessions go or are replaced; a group
// frame is encoded once whatever the number of receiving sessions.
import { describe, expect, it } from 'vitest'
import { OnlineRegistry, type OnlineSession } from '../../src/server/gateway/online-registry'

function fakeSession(user: string, deviceId: string): OnlineSession & { frames: Uint8Array[] } {
  const frames: Uint8Array[] = []
  return {
    user,
    deviceId,
    givenDeviceId: deviceId,
    sessionId: `${user}-${deviceId}`,
    authenticatedAt: Date.now(),
    frames,
    sendBytes: (bytes) => frames.push(bytes),
    queueBytes: (bytes) => frames.push(bytes),
    endRevoked: () => {},
    endReplaced: () => {}
  }
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('online registry: group subscriptions', () => {
  it('subscribes every device of a member once the list is loaded, and encodes a frame once for all', async () => {
    const registry = new OnlineRegistry()
    let loads = 0
    registry.useGroupLoader(async (user) => {
      loads++
      return user === 'ann' ? ['g1'] : []
    })
    const laptop = fakeSession('ann', 'laptop')
    const phone = fakeSession('ann', 'phone')
    const other = fakeSession('bo', 'x')
    registry.add(laptop)
    registry.add(phone)
    registry.add(other)
    await flush()
    expect(loads).toBe(2)
    let encoded = 0
    registry.deliverGroup('g1', () => {
      encoded++
      return new Uint8Array([1])
    }, laptop)
    expect(encoded).toBe(1)
    expect([laptop.frames.length, phone.frames.length, other.frames.length]).toEqual([0, 1, 0])
    expect(registry.groupSessionCount('g1')).toBe(2)
  })

  it('applies joins and leaves that arrive while the list is loading, in order', async () => {
    const registry = new OnlineRegistry()
    const list = deferred<string[]>()
    registry.useGroupLoader(() => list.promise)
    const session = fakeSession('cy', 'd')
    registry.add(session)
    registry.joinGroup('cy', 'g2')
    registry.leaveGroup('cy', 'g1')
    registry.joinGroup('cy', 'g3')
    registry.leaveGroup('cy', 'g3')
    list.resolve(['g1'])
    await flush()
    expect(['g1', 'g2', 'g3'].map((group) => registry.groupSessionCount(group))).toEqual([0, 1, 0])
  })

  it('unsubscribes sessions that go, replaced ones included, and every session of a dissolved group', async () => {
    const registry = new OnlineRegistry()
    registry.useGroupLoader(async () => ['g1', 'g2'])
    const first = fakeSession('di', 'd')
    registry.add(first)
    await flush()
    const second = fakeSession('di', 'd')
    registry.add(second)
    registry.remove(first)
    expect(registry.groupSessionCount('g1')).toBe(1)
    registry.deliverGroup('g1', () => new Uint8Array([2]))
    expect([first.frames.length, second.frames.length]).toEqual([0, 1])
    registry.dropGroup('g2')
    expect(registry.groupSessionCount('g2')).toBe(0)
    registry.leaveGroup('di', 'g1')
    expect(registry.groupSessionCount('g1')).toBe(0)
    registry.joinGroup('di', 'g1')
    registry.remove(second)
    expect(registry.groupSessionCount('g1')).toBe(0)
  })
})
