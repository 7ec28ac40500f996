import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'

/**
 * Sliding anti-replay window of RFC 6479 ("IPsec Anti-Replay Algorithm without Bit Shifting"), as
 * wireguard-go's replay/replay.go (Filter.ValidateCounter) implements it: a ring of words, cleared
 * ahead of the newest counter, so moving the window costs O(words) however far it jumps.
 *
 * Counters are JS numbers up to 2^53, so they are never used in bitwise ops (those truncate to 32
 * bits); only the ring index (after `% REPLAY_WORDS`) and the bit index (< 32) are.
 */

export const REPLAY_WORDS = 64
const WORD_BITS = 32
/** Counters up to this far behind the newest accepted one still pass (RFC 6479: (N-1) * B). */
export const REPLAY_WINDOW = (REPLAY_WORDS - 1) * WORD_BITS // 2016

/** 'over-limit' also covers anything that is not a safe integer in [0, limit): NaN, -1, 1.5, … */
export type ReplayVerdict = 'ok' | 'replayed' | 'too-old' | 'over-limit'

export type ReplaySnapshot = { last: number; ring: Uint32Array }

export class ReplayWindow {
  readonly limit: number
  #ring = new Uint32Array(REPLAY_WORDS)
  // Like wireguard-go, start at 0 with an empty ring: counter 0 then passes through the bit test
  // exactly once. `#started` only lets `last` report -1 before anything was accepted.
  #last = 0
  #started = false

  /** Counters >= `limit` are refused ('over-limit'); `limit` is an integer from 1 to 2^53. */
  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1 || limit > 2 ** 53) {
      throw new PairlineError(ErrorCode.InvalidArgument, 'Replay limit must be an integer from 1 to 2^53.', {
        details: `got ${String(limit)}`,
      })
    }
    this.limit = limit
  }

  /** Highest accepted counter, or -1 before any. */
  get last(): number {
    return this.#started ? this.#last : -1
  }

  /** Read-only pre-check, run BEFORE the AEAD so forged frames cost no state: never changes anything. */
  check(counter: number): ReplayVerdict {
    if (!this.#inRange(counter)) return 'over-limit'
    if (counter > this.#last) return 'ok' // words ahead of #last are cleared when the window moves
    if (this.#last - counter > REPLAY_WINDOW) return 'too-old'
    return this.#isSet(counter) ? 'replayed' : 'ok'
  }

  /**
   * Test-and-set, run only AFTER the AEAD succeeded (else a forged counter could move the window).
   * State changes only when the verdict is 'ok'.
   */
  accept(counter: number): ReplayVerdict {
    const verdict = this.check(counter)
    if (verdict !== 'ok') return verdict
    if (counter > this.#last) {
      // Clear the words between the old and new newest counter; capping at the ring size keeps a
      // 2^40 jump O(REPLAY_WORDS) (replay.go: "cap diff to clear the whole ring").
      const current = Math.floor(this.#last / WORD_BITS)
      const diff = Math.min(Math.floor(counter / WORD_BITS) - current, REPLAY_WORDS)
      for (let i = 1; i <= diff; i++) this.#ring[(current + i) % REPLAY_WORDS] = 0
      this.#last = counter
    }
    const word = Math.floor(counter / WORD_BITS) % REPLAY_WORDS
    this.#ring[word] = this.#ring[word]! | (1 << (counter % WORD_BITS))
    this.#started = true
    return 'ok'
  }

  /**
   * Best-effort wipe, back to the fresh state. Only for a discarded key: with the same key, a fresh
   * window would accept every old counter again.
   */
  reset(): void {
    this.#ring.fill(0)
    this.#last = 0
    this.#started = false
  }

  /** A copy of the state for persistence; `restore` checks it before trusting it. */
  snapshot(): ReplaySnapshot {
    return { last: this.last, ring: this.#ring.slice() }
  }

  static restore(limit: number, s: ReplaySnapshot): ReplayWindow {
    const window = new ReplayWindow(limit)
    const { last, ring } = s
    const fail = (details: string) =>
      new PairlineError(ErrorCode.InvalidArgument, 'Replay window snapshot is inconsistent.', { details })
    if (!(ring instanceof Uint32Array) || ring.length !== REPLAY_WORDS) {
      throw fail(`ring must be a Uint32Array of ${REPLAY_WORDS} words`)
    }
    if (last === -1) {
      if (ring.some((word) => word !== 0)) throw fail('bits set before any counter was accepted')
      return window
    }
    if (!window.#inRange(last)) throw fail(`last ${String(last)} is not a counter below the limit`)
    // The newest counter's bit is set and nothing above it in its word: what `accept` always leaves.
    const bit = last % WORD_BITS
    const newest = ring[Math.floor(last / WORD_BITS) % REPLAY_WORDS]!
    if (((newest >>> bit) & 1) === 0 || (bit < WORD_BITS - 1 && newest >>> (bit + 1) !== 0)) {
      throw fail(`word of last ${last} does not match it`)
    }
    window.#ring.set(ring)
    window.#last = last
    window.#started = true
    return window
  }

  #inRange(counter: number): boolean {
    return Number.isSafeInteger(counter) && counter >= 0 && counter < this.limit
  }

  #isSet(counter: number): boolean {
    const word = this.#ring[Math.floor(counter / WORD_BITS) % REPLAY_WORDS]!
    return ((word >>> (counter % WORD_BITS)) & 1) === 1
  }
}
