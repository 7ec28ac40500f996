import { PairlineError } from '../../errors/base.js'
import { ErrorCode } from '../../errors/codes.js'
import { wipe } from '../bytes.js'
import { aeadDecrypt, aeadEncrypt, chachaNonce, KEY_LEN, REKEY_NONCE } from './suite.js'

/** Nonces stay exact JS integers: we stop far below Noise's 2^64-1 (PROTOCOL-NOTES §2). */
export const MAX_NONCE = Number.MAX_SAFE_INTEGER

/** Noise §5.1 CipherState: a key (or none) and a 64-bit nonce. */
export class CipherState {
  #k: Uint8Array | null = null
  #n = 0

  constructor(key?: Uint8Array) {
    if (key) this.initializeKey(key)
  }

  initializeKey(key: Uint8Array | null): void {
    if (this.#k) wipe(this.#k)
    this.#k = key ? key.slice(0, KEY_LEN) : null
    this.#n = 0
  }

  hasKey(): boolean {
    return this.#k !== null
  }

  get nonce(): number {
    return this.#n
  }

  setNonce(n: number): void {
    this.#n = n
  }

  #nextNonce(): Uint8Array {
    if (this.#n >= MAX_NONCE) {
      throw new PairlineError(ErrorCode.CounterExhausted, 'The cipher state ran out of nonces.')
    }
    return chachaNonce(this.#n)
  }

  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (!this.#k) return plaintext.slice()
    const ct = aeadEncrypt(this.#k, this.#nextNonce(), ad, plaintext)
    this.#n++
    return ct
  }

  /** On failure throws and leaves the nonce unchanged (Noise §5.1). */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (!this.#k) return ciphertext.slice()
    const pt = aeadDecrypt(this.#k, this.#nextNonce(), ad, ciphertext)
    this.#n++
    return pt
  }

  /** Noise §4.2 Rekey(): k = first 32 bytes of ENCRYPT(k, 2^64-1, empty, zeros). n is kept. */
  rekey(): void {
    if (!this.#k) return
    const zeros = new Uint8Array(KEY_LEN)
    const out = aeadEncrypt(this.#k, REKEY_NONCE, new Uint8Array(0), zeros)
    wipe(this.#k)
    this.#k = out.slice(0, KEY_LEN)
    wipe(out)
  }

  /** A copy of the key, for the transport layer and persistence. The caller wipes it. */
  exportKey(): Uint8Array | null {
    return this.#k ? this.#k.slice() : null
  }

  destroy(): void {
    if (this.#k) wipe(this.#k)
    this.#k = null
    this.#n = 0
  }
}
