// Owns account rules: username and password validation, registration and credential checks.
// Transport-free: the HTTP app server maps these outcomes to status codes.
import { hashPassword, verifyPassword } from '../auth/passwords'
import type { IssuedToken, TokenService } from '../auth/tokens'
import type { ServerStore } from '../store/types'
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../config'
import { USERNAME_PATTERN } from '../../shared/limits'

export type AccountFailureCode = 'INVALID_USERNAME' | 'INVALID_PASSWORD' | 'USER_EXISTS' | 'INVALID_CREDENTIALS'
export type AccountResult<T> = { ok: true; value: T } | { ok: false; code: AccountFailureCode; message: string }

export interface LoginResult extends IssuedToken {
  user: string
}

export interface AccountService {
  register(userAccount: unknown, userPassword: unknown): Promise<AccountResult<{ user: string }>>
  login(userAccount: unknown, userPassword: unknown): Promise<AccountResult<LoginResult>>
}

/** Usernames are case-insensitive: stored and compared lowercased. */
export function normalizeUsername(raw: unknown): string | null {
  return typeof raw === 'string' && USERNAME_PATTERN.test(raw) ? raw.toLowerCase() : null
}

function passwordProblem(raw: unknown): string | null {
  if (typeof raw !== 'string') return 'A password is required.'
  if (raw.length < MIN_PASSWORD_LENGTH) return `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`
  if (raw.length > MAX_PASSWORD_LENGTH) return `The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`
  return null
}

const BAD_CREDENTIALS = 'The username or password is incorrect.'

export function createAccountService(store: ServerStore, tokens: TokenService): AccountService {
  // Verifying against a throwaway hash when the user does not exist keeps the response time the same,
  // so login timing does not reveal which usernames exist.
  const decoyHash = hashPassword('decoy-password-for-timing')

  return {
    async register(userAccount, userPassword) {
      const user = normalizeUsername(userAccount)
      if (!user) {
        return {
          ok: false,
          code: 'INVALID_USERNAME',
          message: 'The username must be 1 to 64 characters: letters, digits, "_", "." or "-".'
        }
      }
      const problem = passwordProblem(userPassword)
      if (problem) return { ok: false, code: 'INVALID_PASSWORD', message: problem }
      const hash = await hashPassword(userPassword as string)
      const outcome = await store.createUser(user, hash, Date.now())
      if (outcome === 'exists') {
        return { ok: false, code: 'USER_EXISTS', message: `The username "${user}" is already taken.` }
      }
      return { ok: true, value: { user } }
    },

    async login(userAccount, userPassword) {
      const user = normalizeUsername(userAccount)
      if (!user || typeof userPassword !== 'string' || userPassword.length > MAX_PASSWORD_LENGTH) {
        return { ok: false, code: 'INVALID_CREDENTIALS', message: BAD_CREDENTIALS }
      }
      const stored = await store.getUser(user)
      const matches = await verifyPassword(userPassword, stored ? stored.passwordHash : await decoyHash)
      if (!stored || !matches) return { ok: false, code: 'INVALID_CREDENTIALS', message: BAD_CREDENTIALS }
      return { ok: true, value: { user, ...tokens.mint(user) } }
    }
  }
}
