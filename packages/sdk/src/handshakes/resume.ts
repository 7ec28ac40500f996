import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import {
  answerResume,
  type HandshakeResult,
  type ResumeInitiator,
  type Role,
  startResume,
} from '../protocol/handshake.js'
import type { RandomBytes } from '../protocol/random.js'

const RESUME_PAYLOAD = new TextEncoder().encode('{"v":1}')

/**
 * Drives the resume handshake of one session (docs/PROTOCOL.md §8): Noise NNpsk0 under the resume
 * psk, started by either side after a restart. The channel carries the bytes; this decides.
 */
export class Resumer {
  #attempt: ResumeInitiator | null = null

  constructor(
    private readonly role: Role,
    private readonly sessionId: Uint8Array,
    private readonly randomBytes: RandomBytes,
  ) {}

  /** Message 1 of our attempt in progress (sent again after a reconnect), or null. */
  get message1(): Uint8Array | null {
    return this.#attempt?.message1 ?? null
  }

  /** Starts (or restarts) our attempt; returns its message 1. */
  start(resumePsk: Uint8Array): Uint8Array {
    this.#attempt?.destroy()
    this.#attempt = startResume({
      role: this.role,
      sessionId: this.sessionId,
      resumePsk,
      payload: RESUME_PAYLOAD,
      randomBytes: this.randomBytes,
    })
    return this.#attempt.message1
  }

  /**
   * Answers the peer's message 1. Both sides resuming at once: the wallet's attempt wins, so a
   * wallet with an attempt of its own ignores the dApp's (null) and a dApp drops its own.
   */
  answer(
    message1: Uint8Array,
    resumePsk: Uint8Array,
  ): { message2: Uint8Array; result: HandshakeResult } | null {
    if (this.#attempt && this.role === 'wallet') return null
    const r = answerResume({
      role: this.role,
      sessionId: this.sessionId,
      resumePsk,
      message1,
      payload: RESUME_PAYLOAD,
      randomBytes: this.randomBytes,
    })
    this.destroy()
    return { message2: r.message2, result: r.result }
  }

  /** Completes our attempt with the peer's message 2. */
  complete(message2: Uint8Array): HandshakeResult {
    if (!this.#attempt) throw new PairlineError(ErrorCode.HandshakeWrongState, 'No resume in progress.')
    const { result } = this.#attempt.readReply(message2)
    this.#attempt = null
    return result
  }

  destroy(): void {
    this.#attempt?.destroy()
    this.#attempt = null
  }
}
