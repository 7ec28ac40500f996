import { softTimeout } from '../util/timers.js'

/** Fires `onExpire` at `expiresAt()` (unix seconds, re-read when armed), without holding the process. */
export class ExpiryTimer {
  #timer: ReturnType<typeof setTimeout> | null = null
  constructor(
    private readonly now: () => number,
    private readonly expiresAt: () => number,
    private readonly onExpire: () => void,
  ) {}

  arm(): void {
    this.stop()
    this.#timer = softTimeout(
      () => {
        if (this.now() >= this.expiresAt()) this.onExpire()
        else this.arm() // one timer holds at most ~24.8 days
      },
      (this.expiresAt() - this.now()) * 1000,
    )
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
  }
}
