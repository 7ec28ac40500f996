import type { Timers } from '../util/timers.js'

/** Waits `delayMs` for outgoing traffic to carry an ack before sending a bare one. */
export class AckTimer {
  #timer: unknown = null

  constructor(
    private readonly delayMs: number,
    private readonly sendAck: () => void,
    private readonly timers: Timers,
  ) {}

  schedule(): void {
    if (this.#timer !== null) return
    this.#timer = this.timers.setTimeout(() => {
      this.#timer = null
      this.sendAck()
    }, this.delayMs)
  }

  cancel(): void {
    if (this.#timer !== null) this.timers.clearTimeout(this.#timer)
    this.#timer = null
  }
}
