import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { FrameSender, type RekeyPolicy } from '../protocol/frameCipher.js'
import { type HandshakeResult, type Role, wipeHandshakeResult } from '../protocol/handshake.js'
import type { Topic, TopicPair } from '../protocol/topics.js'
import { type Schedule, TimedReceiver } from './graceWipe.js'

/** The transport keys a channel holds (none while its own resume is running) and their topics. */
export class FrameKeys {
  #tx: FrameSender | null = null
  #rx: TimedReceiver | null = null

  constructor(
    private readonly role: Role,
    public topics: TopicPair,
    private readonly schedule?: Schedule,
  ) {}

  get ready(): boolean {
    return this.#tx !== null
  }

  get sendTopic(): Topic {
    return this.role === 'wallet' ? this.topics.w2d : this.topics.d2w
  }

  get recvTopic(): Topic {
    return this.role === 'wallet' ? this.topics.d2w : this.topics.w2d
  }

  /** Takes ownership of `r` (wiped here). */
  install(r: HandshakeResult, topics: TopicPair, now: () => number, policy?: RekeyPolicy): void {
    this.drop()
    this.#tx = new FrameSender({ key: r.sendKey, nowSeconds: now(), ...(policy ? { policy } : {}) })
    // The previous epoch's key is wiped when its grace period ends, on a timer (§7.6).
    this.#rx = new TimedReceiver(r.receiveKey, now, this.schedule)
    this.topics = topics
    wipeHandshakeResult(r)
  }

  drop(): void {
    this.#tx?.destroy()
    this.#rx?.destroy()
    this.#tx = null
    this.#rx = null
  }

  seal(plaintext: Uint8Array, nowSeconds: number): Uint8Array | null {
    return this.#tx ? this.#tx.seal(plaintext, nowSeconds) : null
  }

  open(frame: Uint8Array, nowSeconds: number): Uint8Array {
    if (!this.#rx) throw new PairlineError(ErrorCode.HandshakeWrongState, 'No keys yet (resuming).')
    return this.#rx.open(frame, nowSeconds).plaintext
  }
}
