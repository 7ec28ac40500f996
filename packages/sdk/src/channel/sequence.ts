import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'

/**
 * How far above the highest seq received in order a message may be (docs/PROTOCOL.md §14.1):
 * a receiver takes seqs up to `recvSeq + SEQ_WINDOW` and refuses the rest before anything is
 * stored, and a sender never transmits a seq above its peer's last ack + `SEQ_WINDOW`. So an
 * honest sender's messages are never refused, and what a peer (or a relay replaying its frames)
 * can make the receiver keep out of order, in memory and in the stored record, is at most
 * `SEQ_WINDOW − 1` numbers. 128 also keeps a full resend round under the relay's burst (§13.5).
 */
export const SEQ_WINDOW = 128

/**
 * The receive side of reliable delivery: the highest seq received in order and the seqs received
 * above it (within the window). A seq is accepted once; a repeat is a duplicate (the peer has not
 * seen our ack yet).
 */
export class ReceiveSequence {
  constructor(
    public recvSeq = 0,
    public recvAhead: number[] = [],
  ) {}

  /**
   * True for a seq not seen before (now recorded), false for a duplicate. SEQ_OUT_OF_WINDOW for
   * one above `recvSeq + SEQ_WINDOW`, before anything changes: the sender still holds it.
   */
  accept(seq: number): boolean {
    if (seq > this.recvSeq + SEQ_WINDOW)
      throw new PairlineError(ErrorCode.SeqOutOfWindow, 'The message is beyond the receive window.', {
        details: `seq ${seq} > ${this.recvSeq} + ${SEQ_WINDOW}`,
      })
    if (seq <= this.recvSeq || this.recvAhead.includes(seq)) return false
    if (seq === this.recvSeq + 1) {
      this.recvSeq = seq
      while (this.recvAhead[0] === this.recvSeq + 1) this.recvSeq = this.recvAhead.shift() as number
    } else {
      this.recvAhead.push(seq)
      this.recvAhead.sort((a, b) => a - b) // at most SEQ_WINDOW − 1 long
    }
    return true
  }
}
