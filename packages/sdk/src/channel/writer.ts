import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import type { Body } from '../messages/envelope.js'
import { wipe } from '../protocol/bytes.js'
import type { ChannelOptions } from './options.js'
import { checkSendable, type Outbox } from './outbox.js'
import { SaveQueue } from './saveQueue.js'
import type { ChannelState } from './state.js'

/** What the writer needs of its channel. */
export type WriterHost = {
  save: ChannelOptions['save']
  /** The resume psks as they are now, in a fresh array (wiped here once written). */
  secrets(): Uint8Array
  state(): ChannelState
  closed(): boolean
  readonly out: Outbox
  transmit(seq: number, body: Body): void
  /** A receipt became durable: it may be acknowledged now. */
  onDurable(): void
  onError(err: PairlineError): void
}

/**
 * The channel's writes, one at a time, each of the state as it is when the write runs, and what
 * they make durable. Persist before send: a reliable message is numbered and written with the
 * state before it is sent. Persist before ack: `durableRecv` is the recvSeq of the last state
 * written, the most an ack may claim, so a crash never loses a message the peer thinks delivered.
 */
export class ChannelWriter {
  readonly #queue = new SaveQueue()
  /** The save queued and not yet begun, which a later save() joins. */
  #next: Promise<boolean> | null = null

  constructor(
    private readonly h: WriterHost,
    public durableRecv = 0,
  ) {}

  async #write(state: ChannelState): Promise<void> {
    if (this.h.save && !this.h.closed()) {
      const secrets = this.h.secrets()
      try {
        await this.h.save(state, secrets)
      } catch (cause) {
        throw new PairlineError(ErrorCode.StorageFailed, 'The session could not be saved.', { cause })
      } finally {
        wipe(secrets)
      }
    }
    if (state.recvSeq > this.durableRecv) {
      this.durableRecv = state.recvSeq
      this.h.onDurable()
    }
  }

  /**
   * Queues a write of the current state; resolves false (and reports the error) if it failed.
   * Saves asked for while one is queued and not yet begun are that one write: it reads the state
   * when it begins, so it holds every change made before any of them was asked for (§14.5).
   */
  save(): Promise<boolean> {
    if (this.#next) return this.#next
    const next = this.#queue
      .run(() => {
        this.#next = null // begun: a later change needs a later write
        return this.#write(this.h.state())
      })
      .then(
        () => true,
        (err) => {
          this.h.onError(err as PairlineError)
          return false
        },
      )
    this.#next = next
    return next
  }

  /** Like `save`, but rejects (STORAGE_FAILED) when the write fails, and reports nothing. */
  saveStrict(): Promise<void> {
    return this.#queue.run(() => this.#write(this.h.state()))
  }

  /**
   * Numbers `body`, writes it with the state (and the owner's change made by `alongside`, run
   * just before), and only then sends it; resolves with its seq.
   * PAYLOAD_TOO_LARGE / PAYLOAD_MALFORMED before anything changes; STORAGE_FAILED when the write
   * failed (nothing changed, nothing sent).
   */
  async send(body: Body, alongside?: () => void): Promise<number> {
    if (this.h.closed()) throw closedError()
    checkSendable(body)
    return this.#queue.run(async () => {
      if (this.h.closed()) throw closedError()
      alongside?.() // the owner's change that must land in this same write
      const entry = this.h.out.next(body)
      const state = this.h.state()
      state.sendSeq = entry.seq
      state.unacked.push(entry)
      await this.#write(state)
      this.h.out.commit(entry)
      // Above the window it waits, stored, for the ack that opens it (the peer would refuse it).
      if (entry.seq <= this.h.out.windowEnd) this.h.transmit(entry.seq, body)
      return entry.seq
    })
  }

  /** Settles when every write queued so far has. */
  get settled(): Promise<void> {
    return this.#queue.settled
  }
}

export const closedError = () => new PairlineError(ErrorCode.SessionClosed, 'The session is closed.')
