// Covers the app's automatic token renewal when the link drops between the renew and its answer (the real client core
// against the real server): the user stays signed in, the app reconnects with the token it holds and renews again.
import { afterEach, describe, expect, it } from 'vitest'
import type { ServerStore } from '../../src/server/store/types'
import { Devices, registerUsers, TEST_PASSWORD, TestServer, uniqueUser, waitFor, localHistory } from './helpers/env'

/** A short token life so the server warns (and the client renews) within seconds: warned 3 s before expiry. */
const TOKEN_TTL_SEC = 6

interface RotationHold {
  entered: Promise<void>
  enter: () => void
  release: () => void
  released: Promise<void>
  finished: Promise<'rotated' | 'stale'>
  finish: (result: 'rotated' | 'stale') => void
}

function newHold(): RotationHold {
  const hold = {} as RotationHold
  hold.entered = new Promise((resolve) => (hold.enter = resolve))
  hold.released = new Promise((resolve) => (hold.release = resolve))
  hold.finished = new Promise((resolve) => (hold.finish = resolve))
  return hold
}

describe('client token renewal with a lost answer', () => {
  let server: TestServer
  let devices: Devices

  afterEach(async () => {
    await devices.dispose()
    await server.dispose()
  })

  it('keeps the user signed in when the renew answer is lost: reconnects with its token and renews later', async () => {
    let hold: RotationHold | null = null
    server = new TestServer({
      tokenTtlSec: TOKEN_TTL_SEC,
      testHooks: {
        // The real store; the held rotation is the moment between the client's renew and the server's answer.
        wrapStore: (store) =>
          new Proxy(store, {
            get(target, property, receiver) {
              if (property !== 'rotateToken') return Reflect.get(target, property, receiver) as unknown
              return async (...args: Parameters<ServerStore['rotateToken']>) => {
                const current = hold
                hold = null
                if (!current) return target.rotateToken(...args)
                current.enter()
                await current.released
                const result = await target.rotateToken(...args)
                current.finish(result)
                return result
              }
            }
          }) satisfies ServerStore
      }
    })
    await server.start()
    devices = new Devices(server)
    const alice = uniqueUser('alice')
    const bob = uniqueUser('bob')
    await registerUsers(server, alice, bob)
    const a = devices.create('a')
    const ended: string[] = []
    const renewals: number[] = []
    a.on('sessionEnded', (event) => ended.push(event.reason))
    a.on('tokenRenewed', (event) => renewals.push(event.expiresAt))

    const current = newHold()
    hold = current
    await a.login(alice, TEST_PASSWORD)
    const signedInWith = a.token
    // The server warns before expiry and the client renews: cut the link while the server handles that renew.
    await current.entered
    a.dropConnectionForTest()
    current.release()
    expect(await current.finished).toBe('rotated')
    expect(a.token).toBe(signedInWith)

    // The client reconnects with the token it has; the next warning brings a renewal that arrives this time.
    await waitFor('a renewal after the reconnect (or the end of the session)', () => renewals.length > 0 || ended.length > 0, 20_000)
    expect(ended).toEqual([])
    expect(a.token).not.toBe(signedInWith)
    const message = await a.sendText(bob, 'still signed in')
    await waitFor('sent', async () => (await localHistory(a, bob)).some((m) => m.id === message.id && m.status === 'sent'))
    expect(ended).toEqual([])
  })
})
