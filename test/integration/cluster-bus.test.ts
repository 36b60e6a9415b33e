// The cross-node bus on a real Redis: payloads reach the other nodes subscribed to a channel and never the publisher
// itself; while Redis is unreachable publications are dropped and counted, never queued.
import { afterEach, expect, it } from 'vitest'
import { connectRedisBus, BusUnavailableError, type ClusterBus } from '../../src/server/cluster/bus'
import { describeWithEngines } from '../support/engines'

const buses: ClusterBus[] = []
afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()))
})

async function open(url: string): Promise<ClusterBus> {
  const bus = await connectRedisBus(url)
  buses.push(bus)
  return bus
}

function nextPayload(bus: ClusterBus, channel: string): Promise<{ text: string; fromNode: string }> {
  return new Promise((resolve) => {
    const stop = bus.subscribe(channel, (payload, fromNode) => {
      stop()
      resolve({ text: payload.toString(), fromNode })
    })
  })
}

describeWithEngines('cluster bus (Redis)', ({ redisUrl }) => {
  it('delivers a payload to the other node subscribed to the channel, not back to the publisher', async () => {
    const [a, b] = [await open(redisUrl), await open(redisUrl)]
    const channel = `test:${Date.now()}:${Math.random()}`
    const echoes: string[] = []
    a.subscribe(channel, (payload) => echoes.push(payload.toString()))
    const received = nextPayload(b, channel)
    // Subscriptions are asynchronous on the Redis side: publish until the other node has it.
    const timer = setInterval(() => a.publish(channel, Buffer.from('hello')), 20)
    try {
      expect(await received).toEqual({ text: 'hello', fromNode: a.nodeId })
    } finally {
      clearInterval(timer)
    }
    expect(echoes).toEqual([])
    expect(b.stats().received).toBeGreaterThan(0)
  })

  it('refuses to start against an address where no Redis answers, with a sentence naming the setting', async () => {
    await expect(connectRedisBus('redis://127.0.0.1:1')).rejects.toThrow(BusUnavailableError)
    await expect(connectRedisBus('redis://127.0.0.1:1')).rejects.toThrow(/PARLEY_REDIS_URL/)
  })
})
