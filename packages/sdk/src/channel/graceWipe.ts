import { FrameReceiver } from '../protocol/frameCipher.js'
import { systemTimers, type Timers } from '../util/timers.js'

/** Runs `fn` after `ms` milliseconds; the handle cancels it. Injected in tests. */
export type Schedule = (fn: () => void, ms: number) => { cancel(): void }

/** A Schedule on `timers` (the channel's, which the app may inject). */
export function scheduleOn(timers: Timers): Schedule {
  return (fn, ms) => {
    const handle = timers.setTimeout(fn, ms)
    return { cancel: () => timers.clearTimeout(handle) }
  }
}

const realSchedule: Schedule = scheduleOn(systemTimers)

/**
 * Wipes a receiver's previous-epoch key when its grace period ends (PROTOCOL.md §7.6), on a timer,
 * instead of whenever the next frame happens to arrive: a session that goes quiet right after a
 * rekey must not keep the old key in memory for hours.
 */
export class GraceWiper {
  #pending: { cancel(): void } | null = null
  #due: number | null = null

  constructor(
    private readonly now: () => number,
    private readonly schedule: Schedule = realSchedule,
  ) {}

  /** Call after each frame the receiver accepted: an epoch move sets a new deadline. */
  arm(rx: FrameReceiver): void {
    const due = rx.previousKeyExpiresAt
    if (due === this.#due) return
    this.cancel()
    if (due === null) return
    this.#due = due
    this.#pending = this.schedule(
      () => {
        this.#pending = null
        this.#due = null
        rx.tick(this.now())
        this.arm(rx) // a clock that ran slow: wait for the rest
      },
      Math.max(0, (due - this.now()) * 1000),
    )
  }

  cancel(): void {
    this.#pending?.cancel()
    this.#pending = null
    this.#due = null
  }
}

/** The channel's receiver: a FrameReceiver whose previous-epoch key is wiped on time. */
export class TimedReceiver extends FrameReceiver {
  readonly #wiper: GraceWiper

  constructor(key: Uint8Array, now: () => number, schedule?: Schedule) {
    super({ key })
    this.#wiper = new GraceWiper(now, schedule)
  }

  override open(frame: Uint8Array, nowSeconds: number) {
    const opened = super.open(frame, nowSeconds)
    this.#wiper.arm(this)
    return opened
  }

  override destroy(): void {
    this.#wiper.cancel()
    super.destroy()
  }
}
