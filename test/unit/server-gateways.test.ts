// The gateway list of the login answer (server side): PARLEY_GATEWAYS parsed with one sentence per mistake, and the
// default, this node's own WebSocket address as the client reached it.
import { describe, expect, it } from 'vitest'
import { GatewaysConfigError, ownGateway, parseGateways } from '../../src/server/cluster/gateways'

describe('PARLEY_GATEWAYS', () => {
  it('lists the addresses in order; empty means the default', () => {
    expect(parseGateways(' ws://a:3210/ws , wss://b.example.com/ws ')).toEqual(['ws://a:3210/ws', 'wss://b.example.com/ws'])
    expect(parseGateways('')).toBeNull()
    expect(parseGateways(undefined)).toBeNull()
  })

  it('refuses what is not a ws(s) address, naming it', () => {
    expect(() => parseGateways('http://a/ws')).toThrow(GatewaysConfigError)
    expect(() => parseGateways('ws://a/ws,nonsense')).toThrow(/"nonsense"/)
    expect(() => parseGateways(Array.from({ length: 40 }, (_, i) => `ws://h${i}/ws`).join(','))).toThrow(/at most 32/)
  })
})

describe('the default gateway', () => {
  it("is this node's address as the request reached it, wss behind a TLS proxy that says so", () => {
    expect(ownGateway({ host: '127.0.0.1:3210' }, false, '/ws')).toEqual(['ws://127.0.0.1:3210/ws'])
    expect(ownGateway({ host: 'chat.example.com' }, true, '/ws')).toEqual(['wss://chat.example.com/ws'])
    expect(ownGateway({ host: 'chat.example.com', 'x-forwarded-proto': 'https' }, false, '/ws')).toEqual(['wss://chat.example.com/ws'])
    expect(ownGateway({}, false, '/ws')).toEqual([])
  })
})
