/** Waits `delayMs` for outgoing traffic to carry an ack before sending a bare one. */
export class AckTimer {
  #timer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly delayMs: number,
    private readonly sendAck: () => void,
  ) {}

  schedule(): void {
    if (this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.sendAck()
    }, this.delayMs)
  }

  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
  }
}
