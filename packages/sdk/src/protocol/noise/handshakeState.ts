import { PairlineError } from '../../errors/base.js'
import { ErrorCode } from '../../errors/codes.js'
import { concatBytes, wipe } from '../bytes.js'
import type { CipherState } from './cipherState.js'
import { DH_LEN, dh, generateKeyPair, type KeyPair, type RandomBytes } from './dh.js'
import { type HandshakePattern, isPskPattern } from './patterns.js'
import { type NoiseHash, SHA256, TAG_LEN } from './suite.js'
import { SymmetricState } from './symmetricState.js'

export type HandshakeOptions = {
  pattern: HandshakePattern
  initiator: boolean
  hash?: NoiseHash
  prologue?: Uint8Array
  /** Local static key pair (s), when the pattern uses one. */
  s?: KeyPair
  /** Local ephemeral (e): only tests and vectors fix it; otherwise drawn from randomBytes. */
  e?: KeyPair
  /** Remote static (rs), when known in advance (e.g. `<- s` for the NK initiator). */
  rs?: Uint8Array
  psks?: readonly Uint8Array[]
  randomBytes?: RandomBytes
}

export type SplitResult = {
  /** initiator -> responder */
  c1: CipherState
  /** responder -> initiator */
  c2: CipherState
  handshakeHash: Uint8Array
  /** ck at Split() time, for labelled exporters; the caller must wipe it. */
  chainingKey: Uint8Array
}

function copyPair(k: KeyPair): KeyPair {
  return { privateKey: k.privateKey.slice(), publicKey: k.publicKey.slice() }
}

/**
 * Noise §5.3 HandshakeState. A failed readMessage rolls back to the state before the call, so a
 * forged or corrupted message costs the honest peer nothing (and cannot burn a pairing).
 */
export class HandshakeState {
  readonly protocolName: string
  readonly #ss: SymmetricState
  readonly #pattern: HandshakePattern
  readonly #initiator: boolean
  readonly #psk: boolean
  readonly #randomBytes: RandomBytes | undefined
  #s: KeyPair | undefined
  #e: KeyPair | undefined
  #rs: Uint8Array | undefined
  #re: Uint8Array | undefined
  #psks: Uint8Array[]
  #index = 0
  #done = false

  constructor(o: HandshakeOptions) {
    const hash = o.hash ?? SHA256
    this.protocolName = `Noise_${o.pattern.name}_25519_ChaChaPoly_${hash.name}`
    this.#ss = new SymmetricState(hash, this.protocolName)
    this.#pattern = o.pattern
    this.#initiator = o.initiator
    this.#psk = isPskPattern(o.pattern)
    this.#randomBytes = o.randomBytes
    // Copies, not keyPairFromPrivate: recomputing s.pub for every message 1 would make each junk
    // message 1 cost an extra scalar multiplication (KeyPairs only come from keyPairFromPrivate).
    this.#s = o.s ? copyPair(o.s) : undefined
    this.#e = o.e ? copyPair(o.e) : undefined
    this.#rs = o.rs?.slice()
    this.#psks = (o.psks ?? []).map((p) => p.slice())
    this.#ss.mixHash(o.prologue ?? new Uint8Array(0))
    // Pre-messages: initiator's first, then responder's (§7.1).
    for (const _ of o.pattern.initiatorPre)
      this.#ss.mixHash(this.#need(o.initiator ? this.#s?.publicKey : this.#rs, 'static'))
    for (const _ of o.pattern.responderPre)
      this.#ss.mixHash(this.#need(o.initiator ? this.#rs : this.#s?.publicKey, 'static'))
  }

  #need<T>(v: T | undefined, what: string): T {
    if (v === undefined) {
      throw new PairlineError(
        ErrorCode.InvalidArgument,
        `The ${this.#pattern.name} handshake needs a ${what} key here.`,
      )
    }
    return v
  }

  get isMyTurn(): boolean {
    return !this.#done && this.#index % 2 === (this.#initiator ? 0 : 1)
  }

  get isComplete(): boolean {
    return this.#done
  }

  get handshakeHash(): Uint8Array {
    return this.#ss.handshakeHash
  }

  get remoteStatic(): Uint8Array | undefined {
    return this.#rs?.slice()
  }

  get remoteEphemeral(): Uint8Array | undefined {
    return this.#re?.slice()
  }

  #nextPsk(): Uint8Array {
    const psk = this.#psks.shift()
    if (psk?.length !== 32) {
      throw new PairlineError(ErrorCode.InvalidKey, 'The handshake needs a 32-byte pre-shared key.')
    }
    return psk as Uint8Array
  }

  #dhToken(token: 'ee' | 'es' | 'se' | 'ss'): Uint8Array {
    // For "es" the initiator uses (e, rs) and the responder (s, re); "se" the other way (§5.3).
    const ini = this.#initiator
    const mine = token[ini ? 0 : 1] === 'e' ? this.#e : this.#s
    const theirs = token[ini ? 1 : 0] === 'e' ? this.#re : this.#rs
    return dh(this.#need(mine, 'local').privateKey, this.#need(theirs, 'remote'))
  }

  #mixDh(token: 'ee' | 'es' | 'se' | 'ss'): void {
    const shared = this.#dhToken(token)
    this.#ss.mixKey(shared)
    wipe(shared)
  }

  writeMessage(payload: Uint8Array): Uint8Array {
    if (!this.isMyTurn) {
      throw new PairlineError(ErrorCode.HandshakeWrongState, 'It is not this side’s turn to write.')
    }
    const tokens = this.#pattern.messages[this.#index] ?? []
    const parts: Uint8Array[] = []
    for (const token of tokens) {
      switch (token) {
        case 'e': {
          if (!this.#e) {
            if (!this.#randomBytes) throw new PairlineError(ErrorCode.RandomUnavailable, 'No random source.')
            this.#e = generateKeyPair(this.#randomBytes)
          }
          parts.push(this.#e.publicKey)
          this.#ss.mixHash(this.#e.publicKey)
          if (this.#psk) this.#ss.mixKey(this.#e.publicKey)
          break
        }
        case 's':
          parts.push(this.#ss.encryptAndHash(this.#need(this.#s, 'static').publicKey))
          break
        case 'psk': {
          const psk = this.#nextPsk()
          this.#ss.mixKeyAndHash(psk)
          wipe(psk)
          break
        }
        default:
          this.#mixDh(token)
      }
    }
    parts.push(this.#ss.encryptAndHash(payload))
    this.#advance()
    return concatBytes(...parts)
  }

  readMessage(message: Uint8Array): Uint8Array {
    if (this.#done || this.isMyTurn) {
      throw new PairlineError(ErrorCode.HandshakeWrongState, 'No handshake message is expected now.')
    }
    const tokens = this.#pattern.messages[this.#index] ?? []
    const saved = this.#ss.clone()
    const savedRe = this.#re
    const savedRs = this.#rs
    const savedPsks = this.#psks.map((p) => p.slice())
    let offset = 0
    const take = (n: number): Uint8Array => {
      if (message.length - offset < n) {
        throw new PairlineError(ErrorCode.HandshakeMalformed, 'The handshake message is too short.')
      }
      const out = message.slice(offset, offset + n)
      offset += n
      return out
    }
    try {
      for (const token of tokens) {
        switch (token) {
          case 'e': {
            this.#re = take(DH_LEN)
            this.#ss.mixHash(this.#re)
            if (this.#psk) this.#ss.mixKey(this.#re)
            break
          }
          case 's': {
            const len = this.#ss.cipher.hasKey() ? DH_LEN + TAG_LEN : DH_LEN
            this.#rs = this.#ss.decryptAndHash(take(len))
            break
          }
          case 'psk': {
            const psk = this.#nextPsk()
            this.#ss.mixKeyAndHash(psk)
            wipe(psk)
            break
          }
          default:
            this.#mixDh(token)
        }
      }
      const payload = this.#ss.decryptAndHash(message.subarray(offset))
      this.#advance()
      for (const p of savedPsks) wipe(p)
      wipe(saved.ck, saved.k)
      return payload
    } catch (cause) {
      this.#ss.restore(saved)
      this.#re = savedRe
      this.#rs = savedRs
      for (const p of this.#psks) wipe(p)
      this.#psks = savedPsks
      if (cause instanceof PairlineError && cause.code !== ErrorCode.FrameDecryptFailed) throw cause
      throw new PairlineError(ErrorCode.HandshakeFailed, 'The handshake message failed authentication.', {
        cause,
      })
    }
  }

  #advance(): void {
    this.#index++
    if (this.#index >= this.#pattern.messages.length) this.#done = true
  }

  /**
   * Split() after the last message. Wipes every handshake secret (ephemeral and static private
   * keys, psks, ck) right away: PROTOCOL-NOTES §8.
   */
  split(): SplitResult {
    if (!this.#done) {
      throw new PairlineError(ErrorCode.HandshakeWrongState, 'The handshake is not complete yet.')
    }
    const { c1, c2, chainingKey } = this.#ss.split()
    const handshakeHash = this.#ss.handshakeHash
    this.destroy()
    return { c1, c2, handshakeHash, chainingKey }
  }

  destroy(): void {
    this.#ss.destroy()
    wipe(this.#e?.privateKey, this.#s?.privateKey)
    for (const p of this.#psks) wipe(p)
    this.#psks = []
  }
}
