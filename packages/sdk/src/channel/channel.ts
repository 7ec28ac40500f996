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
import type { HandshakeResult, Role } from '../protocol/handshake.js'
import type { Topic, TopicPair } from '../protocol/topics.js'
import { encodeResumeState, initialResumeState, type ResumeState } from '../records/resumeState.js'
import type { RelayMessage } from '../transport/index.js'
import { AckTimer } from './ackTimer.js'
import type { ChannelEvents as Events } from './events.js'
import { FrameKeys } from './frameKeys.js'
import { scheduleOn } from './graceWipe.js'
import { FrameHold } from './hold.js'
import { type ChannelOptions, DEFAULT_TTL_SECONDS } from './options.js'
import { Outbox, RESEND_BATCH } from './outbox.js'
import { FailureCounter, opensUnder, RetryTimer, restoredResumeState, resumeIo } from './resumeLink.js'
import { defaultTimers } from './retransmitTimer.js'
import { TopicRoutes } from './routes.js'
import { ReceiveSequence, SEQ_WINDOW } from './sequence.js'
import type { ChannelState } from './state.js'
import { ChannelWriter } from './writer.js'

type Sent = Pick<ChannelState, 'sendSeq' | 'unacked' | 'recvSeq' | 'recvAhead'>

/**
 * The encrypted, reliable, exactly-once message channel of one session, on top of the relay:
 * frames (§7) carry session messages (§14) with sequence numbers; unacknowledged messages are
 * persisted before they are sent, kept until acknowledged, and sent again on a backoff timer and
 * after reconnects and resumes; duplicates are dropped. Acks only cover what has been persisted.
 * The resume with key confirmation and device binding (§8) is the Resumer's; this carries its bytes.
 */
export class Channel extends EventEmitter<Events> {
  readonly role: Role
  readonly sessionId: Uint8Array
  /** base64url of `sessionId`: the session's id in storage and in the API */
  readonly id: string
  /** @internal */ readonly o: ChannelOptions
  /** @internal */ readonly resumer: Resumer
  /** @internal */ readonly retry: RetryTimer
  readonly #keys: FrameKeys
  readonly #routes: TopicRoutes
  readonly #failures: FailureCounter
  readonly #out: Outbox
  readonly #recv: ReceiveSequence
  readonly #ack: AckTimer
  readonly #saves: ChannelWriter
  readonly #hold = new FrameHold<RelayMessage>()
  #closed = false
  readonly #onOpen = () => this.#retransmit()

  private constructor(o: ChannelOptions, role: Role, sessionId: Uint8Array, state: ResumeState, sent?: Sent) {
    super()
    this.o = o
    this.role = role
    this.sessionId = sessionId
    this.id = toBase64Url(sessionId)
    const timers = o.timers ?? defaultTimers
    this.#keys = new FrameKeys(role, state.candidate?.topics ?? state.current.topics, scheduleOn(timers))
    this.#routes = new TopicRoutes(o.relay, (m) => this.#receive(m))
    this.resumer = new Resumer(role, sessionId, o.randomBytes, o.device, state, resumeIo(this))
    this.retry = new RetryTimer(o.resumeRetryMs ?? 3000, () => this.#retryResume(), timers)
    this.#failures = new FailureCounter(o.resumeAfterFailures)
    this.#ack = new AckTimer(o.ackDelayMs ?? 50, () => this.#transmit(0, { t: 'ack' }), timers)
    this.#recv = new ReceiveSequence(sent?.recvSeq, [...(sent?.recvAhead ?? [])])
    this.#out = new Outbox(sent, { ...o, timers }, () => this.#retransmit(true))
    this.#saves = new ChannelWriter(
      {
        save: o.save,
        secrets: () => encodeResumeState(this.resumer.state).secrets,
        state: () => this.state(),
        closed: () => this.#closed,
        out: this.#out,
        transmit: (seq, body) => this.#transmit(seq, body),
        onDurable: () => this.#ack.schedule(), // a receipt on disk: acknowledge it
        onError: (err) => this.emit('error', err),
      },
      sent?.recvSeq,
    )
    o.relay.on('open', this.#onOpen)
  }

  /** A live channel right after a pairing handshake. Takes ownership of `result`. */
  static async fromHandshake(
    result: HandshakeResult,
    o: ChannelOptions,
    setup?: (c: Channel) => void,
  ): Promise<Channel> {
    const state = initialResumeState(result.topics, result.resumePsk, o.device.publicKey)
    const c = new Channel(o, result.role, result.sessionId.slice(), state)
    c.install(result, result.topics)
    // Listeners go on before the subscription: the first message can arrive right after it.
    setup?.(c)
    await c.listen()
    await c.#saves.save()
    return c
  }

  /** A channel restored from storage: it subscribes and starts a resume handshake at once. */
  static async restore(
    state: ChannelState,
    secrets: Uint8Array,
    o: ChannelOptions,
    setup?: (c: Channel) => void,
  ): Promise<Channel> {
    const id = fromBase64Url(state.sessionId)
    if (id?.length !== 16) throw new PairlineError(ErrorCode.StorageFailed, 'The stored session is corrupt.')
    const resume = restoredResumeState(state, secrets, o.device)
    const c = new Channel(o, state.role, id as Uint8Array, resume, state)
    setup?.(c)
    // Not awaited: with the relay down, it resumes once the relay is back (the client re-subscribes).
    c.listen().catch(() => {})
    c.retry.start() // if the attempt cannot even start (a failed write), it is tried again
    void c.resumer.start()
    return c
  }

  /** The peer's device public key, from the proposal or the approval (§8.3). Set once. */
  bindPeerDevice(publicKey: Uint8Array): void {
    this.resumer.state.device.peer ??= toBase64Url(publicKey)
  }

  /** @internal Listens on every topic of the resume state (§8.2), and only those. */
  listen(): Promise<void> {
    return this.#closed ? Promise.resolve() : this.#routes.sync(this.resumer.listenTopics())
  }

  /** @internal New transport keys for frames on `topics`. Takes ownership of `r`. */
  install(r: HandshakeResult, topics: TopicPair): void {
    this.#keys.install(r, topics, this.o.now, this.o.rekey)
    this.#failures.reset()
    this.retry.stop()
  }

  /** @internal */ dropKeys(): void {
    this.#keys.drop()
  }

  state(): ChannelState {
    return {
      role: this.role,
      sessionId: this.id,
      topics: this.resumer.state.current.topics,
      ...this.#out.snapshot(),
      recvSeq: this.#recv.recvSeq,
      recvAhead: [...this.#recv.recvAhead],
      resume: encodeResumeState(this.resumer.state).json,
    }
  }

  /** Saves the current state (for owners whose own fields changed); false if the write failed. */
  persist = (): Promise<boolean> => this.#saves.save()

  /** @internal A write that rejects (STORAGE_FAILED) when it fails: a resume step waits on it. */
  saveStrict = (): Promise<void> => this.#saves.saveStrict()

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
    if (!this.#keys.ready || this.#closed) return // sent after the resume completes
    const message: SessionMessage = { ...body, v: 1, seq, ack: this.#saves.durableRecv }
    let frame: Uint8Array | null
    try {
      frame = this.#keys.seal(encodeSessionMessage(message), this.o.now())
    } catch (err) {
      this.emit('error', err as PairlineError)
      return
    }
    if (!frame) return
    this.#ack.cancel()
    this.publish(this.#keys.sendTopic, frame)
  }

  /** @internal */ publish(topic: Topic, frame: Uint8Array): void {
    this.o.relay
      .publish(topic, frame, { ttlSeconds: this.o.ttlSeconds ?? DEFAULT_TTL_SECONDS })
      .catch((err) => {
        if (!this.#closed) this.emit('error', err as PairlineError)
      })
  }

  /** @internal Keys confirmed or adopted: everything unacknowledged again, or a bare ack (the peer commits). */
  flush(): void {
    if (this.#out.unacked.length === 0) this.#transmit(0, { t: 'ack' })
    else this.#retransmit()
    this.#out.rearm()
  }

  /**
   * Sends again what is unacknowledged (or resume message 1): on reconnect and resume the window,
   * on the resend timer only its RESEND_BATCH oldest (§14.1 Resend).
   */
  #retransmit(timer = false): void {
    if (this.#closed) return
    if (!this.#keys.ready) this.resumer.resend()
    else for (const u of this.#out.window(timer ? RESEND_BATCH : SEQ_WINDOW)) this.#transmit(u.seq, u.body)
    if (timer) this.#out.rearm() // and wait longer for the next
  }

  #retryResume(): void {
    if (this.#closed || this.#keys.ready) return
    if (this.resumer.pending) this.resumer.resend()
    else if (!this.resumer.starting) void this.resumer.start()
  }

  #receive(m: RelayMessage): void {
    if (this.#closed || this.#hold.offer(m)) return
    let done: Promise<void> | undefined
    try {
      done = this.#handle(m.topic, m.payload) ?? undefined
    } catch (err) {
      // Frames that fail are dropped without a reply (no oracle for the relay).
      if (!(err instanceof PairlineError))
        this.emit('error', new PairlineError(ErrorCode.InternalError, String(err)))
    }
    // At-least-once below, exactly-once above: acknowledge to the relay once handled or refused.
    Promise.resolve(done)
      .then(() => this.#saves.settled)
      .then(() => this.o.relay.ack(m.topic, m.id))
  }

  #handle(topic: Topic, payload: Uint8Array): Promise<void> | undefined {
    switch (peekMessageType(payload)) {
      case MessageType.Transport:
        if (topic === this.#keys.recvTopic) this.#handleFrame(payload)
        else this.#branchFrame(topic, payload)
        return
      case MessageType.ResumeInit:
        return this.resumer.onInit(topic, payload)
      case MessageType.ResumeReply:
        return this.resumer.onReply(topic, payload)
      default:
        throw new PairlineError(ErrorCode.UnexpectedMessage, 'Unexpected message on a session topic.')
    }
  }

  /** A frame on a superseded generation's topic proves the party told "superseded" is live (§8.4). */
  #branchFrame(topic: Topic, frame: Uint8Array): void {
    const now = this.o.now()
    if (this.resumer.branchKeys(topic).some((key) => opensUnder(key, frame, now)))
      this.resumer.branchConfirmed()
  }

  #handleFrame(frame: Uint8Array): void {
    let plaintext: Uint8Array
    try {
      plaintext = this.#keys.open(frame, this.o.now())
    } catch (err) {
      // Frames that keep failing on the live topic (lost keys, a peer on another generation): resume.
      if (this.#failures.failed(err) && !this.resumer.pending && !this.resumer.starting)
        void this.resumer.start()
      throw err
    }
    this.#failures.reset()
    this.resumer.confirmed()
    const message = decodeSessionMessage(plaintext)
    wipe(plaintext)
    const reliable = message.seq !== 0 && isReliable(message.t)
    // SEQ_OUT_OF_WINDOW (dropped, nothing changed) for a seq beyond recvSeq + SEQ_WINDOW (§14.1).
    const fresh = reliable && this.#recv.accept(message.seq)
    const edge = this.#out.windowEnd
    const released = this.#out.release(message.ack) // the peer's cumulative ack
    // Messages the ack let into the window go out now (already stored; the resend timer covers loss).
    if (released) for (const u of this.#out.window()) if (u.seq > edge) this.#transmit(u.seq, u.body)
    // A duplicate is acknowledged again (the peer missed our ack); a fresh one once it is written.
    if (reliable && !fresh && !this.#closed) this.#ack.schedule()
    // One write per message, queued before the owner handles it: the owner's change is in it.
    // An ack alone is not written: what it released (and what the owner drops with it) is in the
    // next write; until then the record holds a superset (resent after a restart, dropped by seq).
    if (fresh) this.receiptWritten = this.#saves.save()
    if (released) this.emit('acked', message.ack)
    if (fresh || message.seq === 0) this.emit('message', message)
  }

  /** Stops listening, wipes keys and the resume psks. Does not notify the peer (send 'close' first). */
  async close(): Promise<void> {
    if (this.#closed) return
    await this.#saves.settled
    this.#closed = true
    this.#ack.cancel()
    this.#out.stop()
    this.retry.stop()
    this.o.relay.off('open', this.#onOpen)
    this.#routes.close() // not awaited: with the relay unreachable it would wait for a reconnect
    this.dropKeys()
    this.resumer.destroy()
    this.removeAllListeners()
  }
}
