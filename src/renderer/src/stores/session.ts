// Who is signed in: app info, the session (restored on start, e.g. after a reload), sign in / create
// account / sign out, and the `session.ended` event that sends the user back to the sign-in screen.
import { ref, watch } from 'vue'
import { defineStore } from 'pinia'
import type { AppInfo } from '../../../shared/ipc/contract'
import type { SessionInfo } from '../../../shared/model'
import { bridge } from '../bridge'
import { errorSentence, failureSentence } from '../utils/app-error'
import { tr } from '../i18n/translate'

export type SessionPhase = 'starting' | 'startFailed' | 'signedOut' | 'signedIn'

export interface Credentials {
  username: string
  password: string
  serverUrl: string
}

export const useSessionStore = defineStore('session', () => {
  const phase = ref<SessionPhase>('starting')
  const appInfo = ref<AppInfo | null>(null)
  const session = ref<SessionInfo | null>(null)
  const busy = ref(false)
  /** The sentence shown on the sign-in screen (a failed attempt, or why the session ended). */
  const notice = ref<string | null>(null)

  bridge.on('session.ended', ({ error }) => {
    session.value = null
    phase.value = 'signedOut'
    // The core says why as a code and params (an older core without them: the generic sentence).
    notice.value = failureSentence(error) ?? tr('app.sessionEnded')
  })

  async function start(): Promise<void> {
    phase.value = 'starting'
    notice.value = null
    try {
      appInfo.value = await bridge.invoke('app.info')
      session.value = await bridge.invoke('auth.session')
      phase.value = session.value ? 'signedIn' : 'signedOut'
    } catch (err) {
      notice.value = errorSentence(err)
      phase.value = 'startFailed'
    }
  }

  function toArgs(credentials: Credentials): { username: string; password: string; serverUrl?: string } {
    const serverUrl = credentials.serverUrl.trim()
    return {
      username: credentials.username.trim(),
      password: credentials.password,
      ...(serverUrl ? { serverUrl } : {})
    }
  }

  async function runAuth(work: () => Promise<SessionInfo>): Promise<boolean> {
    if (busy.value) return false
    busy.value = true
    notice.value = null
    try {
      session.value = await work()
      phase.value = 'signedIn'
      return true
    } catch (err) {
      notice.value = errorSentence(err)
      return false
    } finally {
      busy.value = false
    }
  }

  function signIn(credentials: Credentials): Promise<boolean> {
    return runAuth(() => bridge.invoke('auth.login', toArgs(credentials)))
  }

  function createAccount(credentials: Credentials): Promise<boolean> {
    return runAuth(async () => {
      await bridge.invoke('auth.register', toArgs(credentials))
      return bridge.invoke('auth.login', toArgs(credentials))
    })
  }

  async function signOut(): Promise<void> {
    if (busy.value) return
    busy.value = true
    try {
      await bridge.invoke('auth.logout')
      notice.value = null
    } catch (err) {
      // Leave the screen anyway: the user asked to go, and the core ends the session on its side.
      notice.value = errorSentence(err)
    } finally {
      busy.value = false
      session.value = null
      phase.value = 'signedOut'
    }
  }

  function showNotice(sentence: string | null): void {
    notice.value = sentence
  }

  return { phase, appInfo, session, busy, notice, start, signIn, createAccount, signOut, showNotice }
})

/**
 * For an account's domain store (contacts, groups, rooms): `load` once the user is signed in (so its badge counts
 * from the start, not from when its pane first shows), `reset` when they are not. Call it inside the store's setup.
 */
export function followSignedInSession(load: () => Promise<void>, reset: () => void): void {
  watch(
    () => useSessionStore().phase,
    (phase) => {
      if (phase === 'signedIn') void load()
      else reset()
    },
    { immediate: true }
  )
}
