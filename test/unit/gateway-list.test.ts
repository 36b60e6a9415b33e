// The client's gateway order (cluster fail-over): last good first, next on a death or a drain, around the list,
// backoff only once every address failed; one address behaves as before.
import { describe, expect, it } from 'vitest'
import { CloseCode } from '../../src/shared/proto/codec'
import { cleanGatewayAddresses, failoverAfterClose, GatewayList, gatewayUrl, httpBaseOfGateway } from '../../src/main/core/net/gateway-list'

const A = 'ws://10.0.0.1:3210/ws'
const B = 'ws://10.0.0.2:3210/ws'
const C = 'wss://chat.example.com/ws'
const ABNORMAL = 1006

describe('GatewayList', () => {
  it('starts at the first address, or at the remembered last good one when it is listed', () => {
    expect(new GatewayList([A, B, C]).current).toBe(A)
    expect(new GatewayList([A, B, C], B).current).toBe(B)
    expect(new GatewayList([A, B, C], B).lastGood).toBe(B)
    const unlisted = new GatewayList([A, B], 'ws://gone:1/ws')
    expect(unlisted.current).toBe(A)
    expect(unlisted.lastGood).toBeNull()
  })

  it('moves to the next address and goes back around the list', () => {
    const list = new GatewayList([A, B, C], B)
    expect(list.moveOn()).toBe(C)
    expect(list.moveOn()).toBe(A)
    expect(list.moveOn()).toBe(B)
  })

  it('counts a round as failed once every address failed since the last success', () => {
    const list = new GatewayList([A, B])
    list.moveOn()
    expect(list.roundFailed).toBe(false)
    list.moveOn()
    expect(list.roundFailed).toBe(true)
    expect(list.succeeded()).toBe(true) // A is now the last good one (it was none)
    expect(list.roundFailed).toBe(false)
    expect(list.succeeded()).toBe(false) // the same again: nothing new to save
  })

  it('refuses an empty list', () => {
    expect(() => new GatewayList([])).toThrow()
  })
})

describe('failoverAfterClose', () => {
  it('moves at once on the drain close code, also with one address', () => {
    const list = new GatewayList([A, B])
    expect(failoverAfterClose(list, CloseCode.CLOSE_MOVE_NOW, true)).toEqual({ moved: true, delayMs: 0 })
    expect(list.current).toBe(B)
    const single = new GatewayList([A])
    expect(failoverAfterClose(single, CloseCode.CLOSE_MOVE_NOW, true)).toEqual({ moved: true, delayMs: 0 })
    expect(single.current).toBe(A)
  })

  it('after a dead link: the next address, after the usual window when the link had been up', () => {
    const list = new GatewayList([A, B])
    list.succeeded()
    expect(failoverAfterClose(list, ABNORMAL, true)).toEqual({ moved: true, delayMs: null })
    expect(list.current).toBe(B)
  })

  it('after a refused attempt: the next address at once, the usual backoff once the round failed', () => {
    const list = new GatewayList([A, B, C])
    expect(failoverAfterClose(list, ABNORMAL, false)).toEqual({ moved: true, delayMs: 0 })
    expect(failoverAfterClose(list, ABNORMAL, false)).toEqual({ moved: true, delayMs: 0 })
    expect(failoverAfterClose(list, ABNORMAL, false)).toEqual({ moved: true, delayMs: null })
    expect(list.current).toBe(A)
  })

  it('keeps one address and other close codes exactly as before', () => {
    const single = new GatewayList([A])
    expect(failoverAfterClose(single, ABNORMAL, true)).toEqual({ moved: false, delayMs: null })
    const list = new GatewayList([A, B])
    expect(failoverAfterClose(list, CloseCode.CLOSE_SERVER_RESTART, true)).toEqual({ moved: false, delayMs: null })
    expect(failoverAfterClose(list, CloseCode.CLOSE_PROTOCOL_ERROR, false)).toEqual({ moved: false, delayMs: null })
    expect(list.current).toBe(A)
  })
})

describe('cleanGatewayAddresses', () => {
  it('keeps valid ws(s) addresses in order, once each, and drops the rest', () => {
    expect(cleanGatewayAddresses([A, 'http://x/ws', 42, B, A, 'not a url', C])).toEqual([A, B, C])
    expect(cleanGatewayAddresses(undefined)).toEqual([])
    expect(cleanGatewayAddresses('ws://a/ws')).toEqual([])
  })

  it('caps a very long list', () => {
    const many = Array.from({ length: 100 }, (_, i) => `ws://10.0.0.${i}:3210/ws`)
    expect(cleanGatewayAddresses(many)).toHaveLength(32)
  })
})

describe('gatewayUrl', () => {
  it('derives the single server address from the app-server address', () => {
    expect(gatewayUrl('http://127.0.0.1:3210')).toBe('ws://127.0.0.1:3210/ws')
    expect(gatewayUrl('https://chat.example.com/')).toBe('wss://chat.example.com/ws')
  })

  it('and back: the HTTP address of the node behind a gateway address', () => {
    expect(httpBaseOfGateway('ws://10.0.0.2:3210/ws')).toBe('http://10.0.0.2:3210/')
    expect(httpBaseOfGateway('wss://chat.example.com/parley/ws')).toBe('https://chat.example.com/parley/')
  })
})
