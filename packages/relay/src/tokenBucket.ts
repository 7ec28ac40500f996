/** A token bucket: `rate` tokens per second up to `burst`. The clock is passed in (ms). */
export class TokenBucket {
  #tokens: number
  #at: number

  constructor(
    readonly rate: number,
    readonly burst: number,
    nowMs: number,
  ) {
    this.#tokens = burst
    this.#at = nowMs
  }

  take(nowMs: number, n = 1): boolean {
    const elapsed = Math.max(0, nowMs - this.#at)
    this.#at = nowMs
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.rate) / 1000)
    if (this.#tokens < n) return false
    this.#tokens -= n
    return true
  }
}
