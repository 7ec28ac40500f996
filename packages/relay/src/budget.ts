import { refill } from './frames.js'
import type { RelayLimits } from './limits.js'

/**
 * The three token buckets of one connection: publishes, all frames, and bad frames (malformed,
 * text, over the frame rate). One object with six numbers: it is per connection, at 10^4 of them.
 */
export class Budget {
  readonly #limits: RelayLimits
  #publishTokens: number
  #publishAt: number
  #frameTokens: number
  #frameAt: number
  #badTokens: number
  #badAt: number

  constructor(limits: RelayLimits, now: number) {
    this.#limits = limits
    this.#publishTokens = limits.publishBurst
    this.#frameTokens = limits.frameBurst
    this.#badTokens = limits.badFrameBurst
    this.#publishAt = now
    this.#frameAt = now
    this.#badAt = now
  }

  /** Spends a frame token; false when the bucket is empty. */
  frame(now: number): boolean {
    const l = this.#limits
    this.#frameTokens = refill(this.#frameTokens, this.#frameAt, now, l.frameRate, l.frameBurst)
    this.#frameAt = now
    if (this.#frameTokens < 1) return false
    this.#frameTokens -= 1
    return true
  }

  publish(now: number): boolean {
    const l = this.#limits
    this.#publishTokens = refill(this.#publishTokens, this.#publishAt, now, l.publishRate, l.publishBurst)
    this.#publishAt = now
    if (this.#publishTokens < 1) return false
    this.#publishTokens -= 1
    return true
  }

  bad(now: number): boolean {
    const l = this.#limits
    this.#badTokens = refill(this.#badTokens, this.#badAt, now, l.badFrameRate, l.badFrameBurst)
    this.#badAt = now
    if (this.#badTokens < 1) return false
    this.#badTokens -= 1
    return true
  }
}
