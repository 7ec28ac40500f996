import { systemTimers, type Timers } from '../util/timers.js'

export type { Timers } from '../util/timers.js'

/** The default timers: `setTimeout`, never holding a Node process open. */
export const defaultTimers: Timers = systemTimers

/** When unacknowledged messages are sent again (docs/PROTOCOL.md §14.1). */
export type RetransmitOptions = {
  /** First resend after this long without an ack, ms (default 2,000). */
  initialDelayMs?: number
  /** Each further wait is `factor` times longer (default 2), up to `maxDelayMs` (default 60,000). */
  factor?: number
  maxDelayMs?: number
}

/** Exponential backoff for resending what the peer has not acknowledged; reset by progress. */
export class RetransmitTimer {
  #handle: unknown = null
  #attempt = 0
  readonly #initial: number
  readonly #factor: number
  readonly #max: number

  constructor(
    o: RetransmitOptions,
    private readonly timers: Timers,
    private readonly fire: () => void,
  ) {
    this.#initial = o.initialDelayMs ?? 2_000
    this.#factor = o.factor ?? 2
    this.#max = o.maxDelayMs ?? 60_000
  }

  /** The wait before the next resend, ms. */
  get delayMs(): number {
    return Math.min(this.#max, this.#initial * this.#factor ** this.#attempt)
  }

  /** Arms the timer unless it is armed already. */
  arm(): void {
    if (this.#handle !== null) return
    this.#handle = this.timers.setTimeout(() => {
      this.#handle = null
      this.#attempt++
      this.fire()
    }, this.delayMs)
  }

  /** The peer made progress: the next wait starts from the initial delay again. */
  reset(): void {
    this.stop()
    this.#attempt = 0
  }

  stop(): void {
    if (this.#handle !== null) this.timers.clearTimeout(this.#handle)
    this.#handle = null
  }
}
