import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { type Body, maxEncodedSize } from '../messages/envelope.js'
import { MAX_FRAME_PLAINTEXT } from '../protocol/frame.js'
import { defaultTimers, type RetransmitOptions, RetransmitTimer, type Timers } from './retransmitTimer.js'
import { SEQ_WINDOW } from './sequence.js'

export type Unacked = { seq: number; body: Body }

/**
 * Most messages one resend round of the timer sends again, oldest first (§14.1 Resend): those hold
 * back the cumulative ack, and a round of the whole window (128) per session would spend the relay's
 * per-connection burst (200, §13.5) and draw RATE_LIMITED for every session on that connection.
 */
export const RESEND_BATCH = 16

/**
 * The send side of reliable delivery: the last seq used, the messages the peer has not yet
 * acknowledged, and the timer that resends them with backoff until it does. Only the window is
 * transmitted: seqs up to the peer's last ack + SEQ_WINDOW (`unacked` is contiguous from that
 * ack + 1, so the first SEQ_WINDOW of it); the rest is stored and goes out as acks open the window.
 */
export class Outbox {
  sendSeq: number
  unacked: Unacked[]
  readonly #timer: RetransmitTimer

  constructor(
    sent: { sendSeq: number; unacked: Unacked[] } | undefined,
    o: { retransmit?: RetransmitOptions | undefined; timers?: Timers | undefined },
    onResendDue: () => void,
  ) {
    this.sendSeq = sent?.sendSeq ?? 0
    this.unacked = (sent?.unacked ?? []).map((u) => ({ ...u }))
    this.#timer = new RetransmitTimer(o.retransmit ?? {}, o.timers ?? defaultTimers, onResendDue)
  }

  snapshot(): { sendSeq: number; unacked: Unacked[] } {
    return { sendSeq: this.sendSeq, unacked: this.unacked.map((u) => ({ ...u })) }
  }

  /** What may be transmitted now: the unacknowledged messages within the peer's window (the `max` oldest). */
  window(max = SEQ_WINDOW): Unacked[] {
    return this.unacked.slice(0, Math.min(max, SEQ_WINDOW))
  }

  /** The highest seq the window holds now (Infinity when nothing waits). */
  get windowEnd(): number {
    const first = this.unacked[0]
    return first ? first.seq + SEQ_WINDOW - 1 : Number.POSITIVE_INFINITY
  }

  /** The entry `body` gets if it is sent now (committed only once the write holding it succeeded). */
  next(body: Body): Unacked {
    return { seq: this.sendSeq + 1, body }
  }

  commit(u: Unacked): void {
    this.sendSeq = u.seq
    this.unacked.push(u)
    this.#timer.arm()
  }

  /** The peer's cumulative ack: drops what it covers; true if anything was released. */
  release(ack: number): boolean {
    const before = this.unacked.length
    this.unacked = this.unacked.filter((u) => u.seq > ack)
    if (this.unacked.length === before) return false
    this.#timer.reset()
    if (this.unacked.length > 0) this.#timer.arm()
    return true
  }

  /** Waits again (longer) for the next resend, while anything is unacknowledged or `force`. */
  rearm(force = false): void {
    if (force || this.unacked.length > 0) this.#timer.arm()
  }

  stop(): void {
    this.#timer.stop()
  }
}

/**
 * PAYLOAD_TOO_LARGE for a body that could never fit one frame, PAYLOAD_MALFORMED for one that is
 * not JSON: checked before anything changes, so an oversized request fails at once (issue 10, 7).
 */
export function checkSendable(body: Body): void {
  let size: number
  try {
    size = maxEncodedSize(body)
  } catch (cause) {
    throw new PairlineError(ErrorCode.PayloadMalformed, 'The message is not JSON.', { cause })
  }
  if (size > MAX_FRAME_PLAINTEXT)
    throw new PairlineError(ErrorCode.PayloadTooLarge, 'The message is too large for one frame.', {
      details: `${size} bytes encoded; a frame holds at most ${MAX_FRAME_PLAINTEXT}`,
    })
}
