// Owns the encryption of the saved sign-in in the Electron shell: the OS keychain through safeStorage,
// or nothing at all when no real keychain is available (the token is then never written to disk).
import { safeStorage } from 'electron'
import type { SessionCipher } from './core/api/session-vault'

export type CipherChoice = { cipher: SessionCipher } | { cipher: null; why: string }

/** Call after app 'ready' (safeStorage answers only then). */
export function chooseSessionCipher(): CipherChoice {
  if (!safeStorage.isEncryptionAvailable()) {
    return { cipher: null, why: 'the operating system offers no encryption for saved secrets' }
  }
  // On Linux without a secret service, Chromium "encrypts" with a fixed, public key: as good as plain text.
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    return { cipher: null, why: 'no keyring (GNOME Keyring, KWallet) is available to protect saved secrets' }
  }
  return {
    cipher: {
      encrypt: (plain) => safeStorage.encryptString(plain),
      decrypt: (data) => safeStorage.decryptString(data)
    }
  }
}
