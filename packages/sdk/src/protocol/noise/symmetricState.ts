import { concatBytes, utf8, wipe } from '../bytes.js'
import { CipherState } from './cipherState.js'
import { KEY_LEN, type NoiseHash, noiseHkdf } from './suite.js'

/** Noise §5.2 SymmetricState: chaining key ck, handshake hash h, and a CipherState. */
export class SymmetricState {
  readonly cipher = new CipherState()
  readonly #hash: NoiseHash
  #ck: Uint8Array
  #h: Uint8Array

  constructor(hash: NoiseHash, protocolName: string) {
    this.#hash = hash
    const name = utf8(protocolName)
    if (name.length <= hash.hashLen) {
      this.#h = new Uint8Array(hash.hashLen)
      this.#h.set(name)
    } else {
      this.#h = hash.hash(name)
    }
    this.#ck = this.#h.slice()
  }

  mixKey(ikm: Uint8Array): void {
    const out = noiseHkdf(this.#hash, this.#ck, ikm, 2)
    wipe(this.#ck)
    this.#ck = out.slice(0, 32)
    this.cipher.initializeKey(out.subarray(32, 32 + KEY_LEN))
    wipe(out)
  }

  mixHash(data: Uint8Array): void {
    const next = this.#hash.hash(concatBytes(this.#h, data))
    this.#h = next
  }

  /** Noise §5.2 MixKeyAndHash, used for psk tokens. */
  mixKeyAndHash(ikm: Uint8Array): void {
    const out = noiseHkdf(this.#hash, this.#ck, ikm, 3)
    wipe(this.#ck)
    this.#ck = out.slice(0, 32)
    this.mixHash(out.subarray(32, 64))
    this.cipher.initializeKey(out.subarray(64, 64 + KEY_LEN))
    wipe(out)
  }

  get handshakeHash(): Uint8Array {
    return this.#h.slice()
  }

  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ct = this.cipher.encryptWithAd(this.#h, plaintext)
    this.mixHash(ct)
    return ct
  }

  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const pt = this.cipher.decryptWithAd(this.#h, ciphertext)
    this.mixHash(ciphertext)
    return pt
  }

  /**
   * Noise §5.2 Split(): (c1, c2) for initiator->responder and responder->initiator. `exporter`
   * optionally derives extra labelled secrets from ck before it is wiped (PROTOCOL.md §5.1).
   */
  split(): { c1: CipherState; c2: CipherState; chainingKey: Uint8Array } {
    const out = noiseHkdf(this.#hash, this.#ck, new Uint8Array(0), 2)
    const c1 = new CipherState(out.subarray(0, KEY_LEN))
    const c2 = new CipherState(out.subarray(32, 32 + KEY_LEN))
    wipe(out)
    return { c1, c2, chainingKey: this.#ck.slice() }
  }

  /** Snapshot for failure rollback inside a handshake step. */
  clone(): { ck: Uint8Array; h: Uint8Array; k: Uint8Array | null; n: number } {
    return { ck: this.#ck.slice(), h: this.#h.slice(), k: this.cipher.exportKey(), n: this.cipher.nonce }
  }

  restore(s: { ck: Uint8Array; h: Uint8Array; k: Uint8Array | null; n: number }): void {
    wipe(this.#ck)
    this.#ck = s.ck
    this.#h = s.h
    this.cipher.initializeKey(s.k)
    this.cipher.setNonce(s.n)
    wipe(s.k)
  }

  destroy(): void {
    wipe(this.#ck, this.#h)
    this.cipher.destroy()
  }
}
