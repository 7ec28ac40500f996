import { EventEmitter } from 'eventemitter3'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { Resumer } from '../handshakes/resume.js'
import {
  type Body,
  decodeSessionMessage,
  encodeSessionMessage,
  isReliable,
  type SessionMessage,
} from '../messages/envelope.js'
import { fromBase64Url, toBase64Url, wipe } from '../protocol/bytes.js'
import { MessageType, peekMessageType } from '../protocol/envelope.js'
import { FrameSender } from '../protocol/frameCipher.js'
import { type HandshakeResult, type Role, wipeHandshakeResult } from '../protocol/handshake.js'
import type { TopicPair } from '../protocol/topics.js'
import type { RelayMessage } from '../transport/index.js'
import { AckTimer } from './ackTimer.js'
import type { ChannelEvents as Events } from './events.js'
import { TimedReceiver } from './graceWipe.js'
import { FrameHold } from './hold.js'
import { type ChannelOptions, DEFAULT_TTL_SECONDS } from './options.js'
import { Outbox } from './outbox.js'
import { ReceiveSequence } from './sequence.js'
import type { ChannelState } from './state.js'
import { ChannelWriter, type WriterHost } from './writer.js'

/**
 * The encrypted, reliable, exactly-once message channel of one session, on top of the relay:
 * frames (§7) carry session messages (§14) with sequence numbers; unacknowledged messages are
 * persisted before they are sent, kept until acknowledged, and sent again on a backoff timer and
 * after reconnects and resumes; duplicates are dropped. Acks only cover what has been persisted.
 */
export class Channel extends EventEmitter<Events> {
  readonly role: Role
  readonly sessionId: Uint8Array
  /** base64url of `sessionId`: the session's id in storage and in the API */
  readonly id: string
  #o: ChannelOptions
  #topics: TopicPair
  #resumePsk: Uint8Array
  #tx: FrameSender | null = null
  #rx: TimedReceiver | null = null
  readonly #resumer: Resumer
  readonly #out: Outbox
  readonly #recv: ReceiveSequence
  readonly #ack: AckTimer
  readonly #saves: ChannelWriter
  readonly #hold = new FrameHold<RelayMessage>()
  #closed = false
  #unroute: () => void = () => {}
  readonly #onOpen = () => this.#retransmit()

  private constructor(
    o: ChannelOptions,
    role: Role,
    sessionId: Uint8Array,
    topics: TopicPair,
    psk: Uint8Array,
    sent?: Pick<ChannelState, 'sendSeq' | 'unacked' | 'recvSeq' | 'recvAhead'>,
  ) {
    super()
    this.#o = o
    this.role = role
    this.sessionId = sessionId
    this.id = toBase64Url(sessionId)
    this.#topics = topics
    this.#resumePsk = psk
    this.#resumer = new Resumer(role, sessionId, o.randomBytes)
    this.#ack = new AckTimer(o.ackDelayMs ?? 50, () => this.#transmit(0, { t: 'ack' }))
    this.#recv = new ReceiveSequence(sent?.recvSeq, [...(sent?.recvAhead ?? [])])
    this.#out = new Outbox(sent, o, () => this.#retransmit(true))
    const host: WriterHost = {
      save: o.save,
      psk: () => this.#resumePsk,
      state: () => this.state(),
      closed: () => this.#closed,
      out: this.#out,
      transmit: (seq, body) => this.#transmit(seq, body),
      onDurable: () => this.#ack.schedule(), // a receipt on disk: acknowledge it
      onError: (err) => this.emit('error', err),
    }
    this.#saves = new ChannelWriter(host, sent?.recvSeq)
    this.#listen()
    o.relay.on('open', this.#onOpen)
  }

  /** A live channel right after a pairing handshake. Takes ownership of `result`. */
  static async fromHandshake(
    result: HandshakeResult,
    o: ChannelOptions,
    setup?: (c: Channel) => void,
  ): Promise<Channel> {
    const c = new Channel(o, result.role, result.sessionId.slice(), result.topics, result.resumePsk.slice())
    c.#install(result)
    // Listeners go on before the subscription: the first message can arrive right after it.
    setup?.(c)
    await o.relay.subscribe([c.#recvTopic])
    await c.#saves.save()
    return c
  }

  /** A channel restored from storage: it subscribes and starts a resume handshake at once. */
  static async restore(
    state: ChannelState,
    resumePsk: Uint8Array,
    o: ChannelOptions,
    setup?: (c: Channel) => void,
  ): Promise<Channel> {
    const id = fromBase64Url(state.sessionId)
    if (id?.length !== 16) throw new PairlineError(ErrorCode.StorageFailed, 'The stored session is corrupt.')
    const c = new Channel(o, state.role, id as Uint8Array, state.topics, resumePsk.slice(), state)
    setup?.(c)
    // Not awaited: with the relay down, it resumes once the relay is back (the client re-subscribes).
    o.relay.subscribe([c.#recvTopic]).catch(() => {})
    c.startResume()
    return c
  }

  get #sendTopic() {
    return this.role === 'wallet' ? this.#topics.w2d : this.#topics.d2w
  }
  get #recvTopic() {
    return this.role === 'wallet' ? this.#topics.d2w : this.#topics.w2d
  }

  #listen(): void {
    this.#unroute()
    this.#unroute = this.#o.relay.route(this.#recvTopic, (m) => this.#receive(m))
  }

  #install(r: HandshakeResult): void {
    this.#tx?.destroy()
    this.#rx?.destroy()
    this.#tx = new FrameSender({
      key: r.sendKey,
      nowSeconds: this.#o.now(),
      ...(this.#o.rekey ? { policy: this.#o.rekey } : {}),
    })
    this.#rx = new TimedReceiver(r.receiveKey, () => this.#o.now())
    wipe(this.#resumePsk)
    this.#resumePsk = r.resumePsk.slice()
    this.#topics = r.topics
    wipeHandshakeResult(r)
  }

  state(): ChannelState {
    return {
      role: this.role,
      sessionId: this.id,
      topics: this.#topics,
      ...this.#out.snapshot(),
      recvSeq: this.#recv.recvSeq,
      recvAhead: [...this.#recv.recvAhead],
    }
  }

  /** Saves the current state (for owners whose own fields changed); false if the write failed. */
  persist = (): Promise<boolean> => this.#saves.save()

  /** The write of the message being handled (read in a 'message' listener); false if it failed. */
  receiptWritten = Promise.resolve(true)

  /**
   * Sends a reliable message: numbered, written with the state, only then sent, and resent until
   * acknowledged (`alongside`: the owner's change for that write). PAYLOAD_TOO_LARGE, STORAGE_FAILED.
   */
  send = (body: Body, alongside?: () => void): Promise<number> => this.#saves.send(body, alongside)

  /** Sets incoming frames aside (unhandled) until the returned release is called. */
  hold(): () => void {
    return this.#hold.start((m) => this.#receive(m))
  }

  /** Sends a message that is not retransmitted (seq 0): acks and pongs. */
  sendUnreliable = (body: Body): void => this.#transmit(0, body)

  #transmit(seq: number, body: Body): void {
    if (!this.#tx || this.#closed) return // sent after the resume completes
    const message: SessionMessage = { ...body, v: 1, seq, ack: this.#saves.durableRecv }
    let frame: Uint8Array
    try {
      frame = this.#tx.seal(encodeSessionMessage(message), this.#o.now())
    } catch (err) {
      this.emit('error', err as PairlineError)
      return
    }
    this.#ack.cancel()
    this.#publish(this.#sendTopic, frame)
  }

  #publish(topic: string, frame: Uint8Array): void {
    this.#o.relay
      .publish(topic, frame, { ttlSeconds: this.#o.ttlSeconds ?? DEFAULT_TTL_SECONDS })
      .catch((err) => {
        if (!this.#closed) this.emit('error', err as PairlineError)
      })
  }

  /** Sends again what is unacknowledged (or resume message 1): on reconnect, resume, resend timer. */
  #retransmit(timer = false): void {
    if (this.#closed) return
    const resuming = this.#resumer.message1
    if (!this.#tx && resuming) this.#publish(this.#sendTopic, resuming)
    else for (const u of this.#out.unacked) this.#transmit(u.seq, u.body)
    if (timer) this.#out.rearm(!this.#tx) // and wait longer for the next
  }

  /** Drops the transport keys and starts a resume handshake (docs/PROTOCOL.md §8). */
  startResume(): void {
    this.#tx?.destroy()
    this.#rx?.destroy()
    this.#tx = null
    this.#rx = null
    this.#publish(this.#sendTopic, this.#resumer.start(this.#resumePsk))
  }

  #receive(m: RelayMessage): void {
    if (this.#closed || m.topic !== this.#recvTopic || this.#hold.offer(m)) return
    try {
      this.#handle(m.payload)
    } catch (err) {
      // Frames that fail are dropped without a reply (no oracle for the relay).
      if (!(err instanceof PairlineError))
        this.emit('error', new PairlineError(ErrorCode.InternalError, String(err)))
    } finally {
      // At-least-once below, exactly-once above: acknowledge to the relay once handled or refused.
      this.#saves.settled.then(() => this.#o.relay.ack(m.topic, m.id))
    }
  }

  #handle(payload: Uint8Array): void {
    switch (peekMessageType(payload)) {
      case MessageType.Transport:
        this.#handleFrame(payload)
        return
      case MessageType.ResumeInit: {
        const answered = this.#resumer.answer(payload, this.#resumePsk)
        if (!answered) return
        this.#publish(this.#sendTopic, answered.message2)
        this.#switchTo(answered.result)
        return
      }
      case MessageType.ResumeReply:
        this.#switchTo(this.#resumer.complete(payload))
        return
      default:
        throw new PairlineError(ErrorCode.UnexpectedMessage, 'Unexpected message on a session topic.')
    }
  }

  #switchTo(result: HandshakeResult): void {
    const oldRecv = this.#recvTopic
    this.#install(result)
    this.#listen()
    const relay = this.#o.relay
    relay
      .subscribe([this.#recvTopic])
      .then(() => relay.unsubscribe([oldRecv]))
      .catch(() => {})
    void this.#saves.save()
    this.emit('resumed')
    this.#retransmit()
    this.#out.rearm()
  }

  #handleFrame(frame: Uint8Array): void {
    if (!this.#rx) throw new PairlineError(ErrorCode.HandshakeWrongState, 'No keys yet (resuming).')
    const { plaintext } = this.#rx.open(frame, this.#o.now())
    const message = decodeSessionMessage(plaintext)
    wipe(plaintext)
    const released = this.#out.release(message.ack) // the peer's cumulative ack
    const reliable = message.seq !== 0 && isReliable(message.t)
    const fresh = reliable && this.#recv.accept(message.seq)
    // A duplicate is acknowledged again (the peer missed our ack); a fresh one once it is written.
    if (reliable && !fresh && !this.#closed) this.#ack.schedule()
    // One write per message, queued before the owner handles it: the owner's change is in it.
    if (fresh || released) this.receiptWritten = this.#saves.save()
    if (released) this.emit('acked', message.ack)
    if (fresh || message.seq === 0) this.emit('message', message)
  }

  /** Stops listening, wipes keys and the resume psk. Does not notify the peer (send 'close' first). */
  async close(): Promise<void> {
    if (this.#closed) return
    await this.#saves.settled
    this.#closed = true
    this.#ack.cancel()
    this.#out.stop()
    this.#unroute()
    this.#o.relay.off('open', this.#onOpen)
    // Not awaited: with the relay unreachable it would wait for a reconnect that may never come.
    this.#o.relay.unsubscribe([this.#recvTopic]).catch(() => {})
    this.#tx?.destroy()
    this.#rx?.destroy()
    this.#resumer.destroy()
    wipe(this.#resumePsk)
    this.removeAllListeners()
  }
}
