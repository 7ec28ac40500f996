/** Most frames set aside during one hold; later ones are left to the relay's redelivery and resends. */
const MAX_HELD = 256

/**
 * Frames set aside while the channel's owner writes something that must land first (the wallet's
 * session when the pairing is verified): not decrypted, not numbered, not acknowledged to the
 * relay, so nothing about them is stored or acked before they are handled, in order, on release.
 */
export class FrameHold<T> {
  #held: T[] | null = null

  /** Starts a hold; the returned release ends it and hands the frames to `handle`, oldest first. */
  start(handle: (frame: T) => void): () => void {
    this.#held ??= []
    return () => {
      const held = this.#held ?? []
      this.#held = null
      for (const f of held) handle(f)
    }
  }

  /** True if `frame` was set aside (a hold is on). */
  offer(frame: T): boolean {
    if (!this.#held) return false
    if (this.#held.length < MAX_HELD) this.#held.push(frame)
    return true
  }
}
