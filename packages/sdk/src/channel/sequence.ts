/**
 * The receive side of reliable delivery: the highest seq received in order and the seqs received
 * above it. A seq is accepted once; a repeat is a duplicate (the peer has not seen our ack yet).
 */
export class ReceiveSequence {
  constructor(
    public recvSeq = 0,
    public recvAhead: number[] = [],
  ) {}

  /** True for a seq not seen before (now recorded), false for a duplicate. */
  accept(seq: number): boolean {
    if (seq <= this.recvSeq || this.recvAhead.includes(seq)) return false
    if (seq === this.recvSeq + 1) {
      this.recvSeq = seq
      while (this.recvAhead[0] === this.recvSeq + 1) this.recvSeq = this.recvAhead.shift() as number
    } else {
      this.recvAhead.push(seq)
      this.recvAhead.sort((a, b) => a - b)
    }
    return true
  }
}
