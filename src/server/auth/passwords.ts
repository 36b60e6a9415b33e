// Owns password hashing: scrypt with a random salt per user, parameters stored alongside the hash,
// and a timing-safe comparison on verify.
import crypto from 'node:crypto'
import { promisify } from 'node:util'

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keyLength: number,
  options: crypto.ScryptOptions
) => Promise<Buffer>

const SALT_BYTES = 16
const KEY_BYTES = 32
/** scrypt cost parameters (N = 2^14, r = 8, p = 1: the interactive-login recommendation). */
const DEFAULT_SCRYPT_LOG2_N = 14
/** PARLEY_SCRYPT_LOG2_N may LOWER the cost for benchmarks that register thousands of users; never below 2^10. */
const MIN_SCRYPT_LOG2_N = 10
const MAX_SCRYPT_LOG2_N = 20
const SCRYPT_N = 2 ** scryptLog2N()
const SCRYPT_R = 8
const SCRYPT_P = 1
const HASH_SCHEME = 'scrypt'

function scryptLog2N(): number {
  const raw = Number(process.env.PARLEY_SCRYPT_LOG2_N)
  if (!Number.isInteger(raw)) return DEFAULT_SCRYPT_LOG2_N
  return Math.min(MAX_SCRYPT_LOG2_N, Math.max(MIN_SCRYPT_LOG2_N, raw))
}

/** Encodes as `scrypt$N$r$p$saltB64$keyB64` so parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(SALT_BYTES)
  const key = await scrypt(password, salt, KEY_BYTES, { N: SCRYPT_N, r: SCRYPT_R, p: SCRYPT_P })
  return [HASH_SCHEME, SCRYPT_N, SCRYPT_R, SCRYPT_P, salt.toString('base64'), key.toString('base64')].join('$')
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, keyB64] = encoded.split('$')
  if (scheme !== HASH_SCHEME || !n || !r || !p || !saltB64 || !keyB64) return false
  const expected = Buffer.from(keyB64, 'base64')
  const actual = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p)
  })
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected)
}
