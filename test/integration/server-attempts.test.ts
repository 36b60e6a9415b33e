// Covers the sign-in and registration attempt limits: growing delays per account and per remote address (counted
// in the server's store), 429 with Retry-After and a sentence, other accounts and addresses unaffected, reset on success.
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type HttpResult } from '../bench/lib/frame-client'
import { LOGIN_PATH, REGISTER_PATH } from '../../src/server/api/app-server'
import { startTestServer, type TestServer } from '../support/test-server'

process.env.PARLEY_LOG ??= 'warn'

/** A second loopback address: Linux routes all of 127.0.0.0/8 to lo, so the server sees another remote address. */
const OTHER_ADDRESS = '127.0.0.2'

interface HttpAnswer extends HttpResult {
  retryAfter: string | undefined
}

/** POSTs JSON from a chosen local address (fetch cannot pick one). */
function postFrom(baseUrl: string, path: string, body: unknown, localAddress = '127.0.0.1'): Promise<HttpAnswer> {
  const payload = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const request = http.request(
      baseUrl + path,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
            retryAfter: response.headers['retry-after']
          })
        })
      }
    )
    request.on('error', reject)
    request.end(payload)
  })
}

const credentials = (user: string, password: string): Record<string, string> => ({ userAccount: user, userPassword: password })

describe('sign-in attempt limits', () => {
  let t: TestServer
  beforeAll(async () => {
    // A long base delay: the 6th attempt comes well within it however slow the machine is.
    t = await startTestServer({ attemptLimits: { account: { baseDelayMs: 60_000 } } })
    for (const user of ['alice', 'bob']) {
      expect((await postFrom(t.server.url, REGISTER_PATH, credentials(user, 'password-1'))).status).toBe(200)
    }
  })
  afterAll(async () => {
    await t.dispose()
  })

  it('refuses the 6th bad password for an account with 429, Retry-After and a sentence', async () => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const wrong = await postFrom(t.server.url, LOGIN_PATH, credentials('alice', `wrong-${attempt}`))
      expect(wrong.status, `attempt ${attempt}`).toBe(401)
    }
    const sixth = await postFrom(t.server.url, LOGIN_PATH, credentials('alice', 'wrong-6'))
    expect(sixth.status).toBe(429)
    expect(sixth.body.code).toBe('RATE_LIMITED')
    expect(String(sixth.body.message)).toMatch(/wait \d+ seconds?/)
    const retryAfterMs = Number(sixth.body.retryAfterMs)
    expect(retryAfterMs).toBeGreaterThan(0)
    expect(Number(sixth.retryAfter)).toBe(Math.ceil(retryAfterMs / 1000))
    // Even the right password waits: a guess that lands during the delay is not even checked.
    const right = await postFrom(t.server.url, LOGIN_PATH, credentials('ALICE', 'password-1'))
    expect(right.status).toBe(429)
  })

  it('leaves another account from another address alone', async () => {
    const bob = await postFrom(t.server.url, LOGIN_PATH, credentials('bob', 'password-1'), OTHER_ADDRESS)
    expect(bob.status).toBe(200)
    expect(bob.body.chatUserName).toBe('bob')
    // And the same address may still sign in to other accounts (its own count is far from its limit).
    expect((await postFrom(t.server.url, LOGIN_PATH, credentials('bob', 'password-1'))).status).toBe(200)
  })
})

describe('sign-in attempt limits over time', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer({
      attemptLimits: {
        account: { baseDelayMs: 300, maxDelayMs: 2_000 },
        address: { freeAttempts: 8, baseDelayMs: 300, maxDelayMs: 2_000 }
      }
    })
    for (const user of ['carol', 'dave', 'erin']) {
      expect((await postFrom(t.server.url, REGISTER_PATH, credentials(user, 'password-1'), '127.0.0.3')).status).toBe(200)
    }
  })
  afterAll(async () => {
    await t.dispose()
  })

  /** Bad passwords until the first 429 (at most `max` tries); returns it. */
  async function failUntilLimited(user: string, localAddress: string, max = 12): Promise<HttpAnswer> {
    for (let attempt = 1; attempt <= max; attempt++) {
      const answer = await postFrom(t.server.url, LOGIN_PATH, credentials(user, `wrong-${attempt}`), localAddress)
      if (answer.status === 429) return answer
      expect(answer.status).toBe(401)
    }
    throw new Error(`no 429 after ${max} bad passwords`)
  }

  it('lets an attempt through after Retry-After, and a successful sign-in resets the account’s count', async () => {
    const limited = await failUntilLimited('carol', '127.0.0.1')
    await new Promise((resolve) => setTimeout(resolve, Number(limited.body.retryAfterMs)))
    const after = await postFrom(t.server.url, LOGIN_PATH, credentials('carol', 'password-1'))
    expect(after.status).toBe(200)
    // The count is reset: five more bad passwords are answered 401 again, not 429.
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect((await postFrom(t.server.url, LOGIN_PATH, credentials('carol', `again-${attempt}`), '127.0.0.4')).status).toBe(401)
    }
  })

  it('limits one address across accounts (password spraying), not the accounts elsewhere', async () => {
    const sprayer = '127.0.0.5'
    let limited: HttpAnswer | null = null
    for (let attempt = 1; attempt <= 12 && !limited; attempt++) {
      // One guess per account and round: no account reaches its own limit, the address does.
      const answer = await postFrom(t.server.url, LOGIN_PATH, credentials(attempt % 2 ? 'dave' : 'erin', `spray-${attempt}`), sprayer)
      if (answer.status === 429) limited = answer
      else expect(answer.status).toBe(401)
    }
    expect(limited?.body.code).toBe('RATE_LIMITED')
    expect(Number(limited?.retryAfter)).toBeGreaterThanOrEqual(1)
    // erin took four of the guesses, under her own limit of five: from another address she signs in.
    expect((await postFrom(t.server.url, LOGIN_PATH, credentials('erin', 'password-1'), '127.0.0.6')).status).toBe(200)
  })

  it('limits registrations from one address too', async () => {
    const answers = []
    for (let i = 0; i < 12; i++) answers.push(await postFrom(t.server.url, REGISTER_PATH, credentials(`new${i}`, 'password-1'), '127.0.0.7'))
    const statuses = answers.map((answer) => answer.status)
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(200))
    expect(statuses).toContain(429)
  })
})
