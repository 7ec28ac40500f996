import type { Timers } from '../util/timers.js'

/** The longest delay one timer is asked for (setTimeout's limit, ~24.8 days); longer waits re-arm. */
const MAX_DELAY_MS = 2 ** 31 - 1

/** Fires `onExpire` at `expiresAt()` (unix seconds, re-read when armed), on the app's `timers`. */
export class ExpiryTimer {
  #timer: unknown = null
  constructor(
    private readonly timers: Timers,
    private readonly now: () => number,
    private readonly expiresAt: () => number,
    private readonly onExpire: () => void,
  ) {}

  arm(): void {
    this.stop()
    this.#timer = this.timers.setTimeout(
      () => {
        this.#timer = null
        if (this.now() >= this.expiresAt()) this.onExpire()
        else this.arm()
      },
      Math.max(0, Math.min((this.expiresAt() - this.now()) * 1000, MAX_DELAY_MS)),
    )
  }

  stop(): void {
    if (this.#timer !== null) this.timers.clearTimeout(this.#timer)
    this.#timer = null
  }
}
