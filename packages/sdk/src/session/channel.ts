import { EventEmitter } from 'eventemitter3'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { fromBase64Url, toBase64Url, wipe } from '../protocol/bytes.js'
import { peekMessageType, MessageType as WireType } from '../protocol/envelope.js'
import {
  answerResume,
  type HandshakeResult,
  type ResumeInitiator,
  type Role,
  startResume,
  wipeHandshakeResult,
} from '../protocol/handshake.js'
import type { RandomBytes } from '../protocol/random.js'
import type { TopicPair } from '../protocol/topics.js'
import { FrameReceiver, FrameSender, type RekeyPolicy } from '../protocol/transport.js'
import type { RelayClient, RelayMessage } from '../transport/index.js'
import {
  type Body,
  decodeSessionMessage,
  encodeSessionMessage,
  isReliable,
  type SessionMessage,
} from './messages.js'
import type { ChannelState } from './state.js'

export type ChannelOptions = {
  relay: RelayClient
  randomBytes: RandomBytes
  /** unix seconds */
  now: () => number
  /** Called after every state change; the owner persists (sealed). Calls are serialized. */
  save?: (state: ChannelState, resumePsk: Uint8Array) => Promise<void>
  rekey?: RekeyPolicy
  /** TTL asked of the relay for frames, seconds. */
  ttlSeconds?: number
  /** How long to wait for outgoing traffic to carry an ack before sending a bare one, ms. */
  ackDelayMs?: number
}

type Events = {
  message: [SessionMessage]
  /** a resume handshake completed: new keys and topics */
  resumed: []
  error: [PairlineError]
}

const RESUME_PAYLOAD = new TextEncoder().encode('{"v":1}')

/**
 * The encrypted, reliable, exactly-once message channel of one session, on top of the relay:
 * frames (§7) carry session messages (§14) with sequence numbers; unacknowledged messages are
 * kept, persisted, and retransmitted after reconnects and resumes; duplicates are dropped.
 */
export class Channel extends EventEmitter<Events> {
  readonly role: Role
  readonly sessionId: Uint8Array
  #o: ChannelOptions
  #topics: TopicPair
  #resumePsk: Uint8Array
  #tx: FrameSender | null = null
  #rx: FrameReceiver | null = null
  #resume: ResumeInitiator | null = null
  #sendSeq = 0
  #recvSeq = 0
  #recvAhead: number[] = []
  #unacked: { seq: number; body: Body }[] = []
  #ackTimer: ReturnType<typeof setTimeout> | null = null
  #saving: Promise<void> = Promise.resolve()
  #closed = false
  readonly #onMessage = (m: RelayMessage) => this.#receive(m)
  readonly #onOpen = () => this.#retransmit()

  private constructor(
    o: ChannelOptions,
    role: Role,
    sessionId: Uint8Array,
    topics: TopicPair,
    resumePsk: Uint8Array,
  ) {
    super()
    this.#o = o
    this.role = role
    this.sessionId = sessionId
    this.#topics = topics
    this.#resumePsk = resumePsk
    o.relay.on('message', this.#onMessage)
    o.relay.on('open', this.#onOpen)
  }

  /** A live channel right after a pairing or resume handshake. Takes ownership of `result`. */
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
    await c.#save()
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
    const c = new Channel(o, state.role, id as Uint8Array, state.topics, resumePsk.slice())
    c.#sendSeq = state.sendSeq
    c.#recvSeq = state.recvSeq
    c.#recvAhead = [...state.recvAhead]
    c.#unacked = state.unacked.map((u) => ({ ...u }))
    setup?.(c)
    // Not awaited: with the relay down, the session is restored now and resumes once it is back
    // (the relay client re-subscribes and sends queued publishes on reconnect).
    o.relay.subscribe([c.#recvTopic]).catch(() => {})
    await c.startResume()
    return c
  }

  get #sendTopic() {
    return this.role === 'wallet' ? this.#topics.w2d : this.#topics.d2w
  }

  get #recvTopic() {
    return this.role === 'wallet' ? this.#topics.d2w : this.#topics.w2d
  }

  get isLive(): boolean {
    return this.#tx !== null
  }

  get closed(): boolean {
    return this.#closed
  }

  #install(r: HandshakeResult): void {
    this.#tx?.destroy()
    this.#rx?.destroy()
    const now = this.#o.now()
    this.#tx = new FrameSender({
      key: r.sendKey,
      nowSeconds: now,
      ...(this.#o.rekey ? { policy: this.#o.rekey } : {}),
    })
    this.#rx = new FrameReceiver({ key: r.receiveKey })
    wipe(this.#resumePsk)
    this.#resumePsk = r.resumePsk.slice()
    this.#topics = r.topics
    wipeHandshakeResult(r)
  }

  state(): ChannelState {
    return {
      role: this.role,
      sessionId: toBase64Url(this.sessionId),
      topics: this.#topics,
      sendSeq: this.#sendSeq,
      recvSeq: this.#recvSeq,
      recvAhead: [...this.#recvAhead],
      unacked: this.#unacked.map((u) => ({ ...u })),
    }
  }

  #save(): Promise<void> {
    const save = this.#o.save
    if (!save || this.#closed) return this.#saving
    const state = this.state()
    const psk = this.#resumePsk.slice()
    this.#saving = this.#saving
      .then(() => save(state, psk))
      .catch((cause) => {
        this.emit(
          'error',
          new PairlineError(ErrorCode.StorageFailed, 'The session could not be saved.', { cause }),
        )
      })
      .finally(() => wipe(psk))
    return this.#saving
  }

  /** Saves the current state through `save` (for owners whose own fields changed). */
  persist(): Promise<void> {
    return this.#save()
  }

  /** Sends a reliable message: numbered, persisted, retransmitted until the peer acknowledges it. */
  async send(body: Body): Promise<void> {
    if (this.#closed) throw new PairlineError(ErrorCode.SessionClosed, 'The session is closed.')
    const seq = ++this.#sendSeq
    this.#unacked.push({ seq, body })
    const saved = this.#save()
    this.#transmit(seq, body)
    await saved
  }

  #transmit(seq: number, body: Body): void {
    if (!this.#tx || this.#closed) return // sent after the resume completes
    const message: SessionMessage = { ...body, v: 1, seq, ack: this.#recvSeq }
    let frame: Uint8Array
    try {
      frame = this.#tx.seal(encodeSessionMessage(message), this.#o.now())
    } catch (err) {
      this.emit('error', err as PairlineError)
      return
    }
    this.#cancelAck()
    this.#publish(frame)
  }

  #publish(frame: Uint8Array): void {
    this.#o.relay
      .publish(this.#sendTopic, frame, { ttlSeconds: this.#o.ttlSeconds ?? 86_400 })
      .catch((err) => {
        if (!this.#closed) this.emit('error', err as PairlineError)
      })
  }

  #retransmit(): void {
    if (this.#closed) return
    if (!this.#tx && this.#resume) {
      this.#publish(this.#resume.message1)
      return
    }
    for (const u of this.#unacked) this.#transmit(u.seq, u.body)
  }

  #cancelAck(): void {
    if (this.#ackTimer) clearTimeout(this.#ackTimer)
    this.#ackTimer = null
  }

  #scheduleAck(): void {
    if (this.#ackTimer || this.#closed) return
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = null
      this.#transmit(0, { t: 'ack' })
    }, this.#o.ackDelayMs ?? 50)
  }

  /** Sends a message that is not retransmitted (seq 0): acks and pongs. */
  sendUnreliable(body: Body): void {
    this.#transmit(0, body)
  }

  async startResume(): Promise<void> {
    this.#resume?.destroy()
    this.#tx?.destroy()
    this.#rx?.destroy()
    this.#tx = null
    this.#rx = null
    this.#resume = startResume({
      role: this.role,
      sessionId: this.sessionId,
      resumePsk: this.#resumePsk,
      payload: RESUME_PAYLOAD,
      randomBytes: this.#o.randomBytes,
    })
    this.#publish(this.#resume.message1)
  }

  #receive(m: RelayMessage): void {
    if (this.#closed || m.topic !== this.#recvTopic) return
    const topic = m.topic
    try {
      this.#handle(m.payload)
    } catch (err) {
      // Frames that fail are dropped without a reply (no oracle for the relay).
      if (!(err instanceof PairlineError))
        this.emit('error', new PairlineError(ErrorCode.InternalError, String(err)))
    } finally {
      // At-least-once below, exactly-once above: acknowledge to the relay once handled or refused.
      this.#saving.then(() => this.#o.relay.ack(topic, m.id))
    }
  }

  #handle(payload: Uint8Array): void {
    switch (peekMessageType(payload)) {
      case WireType.Transport:
        this.#handleFrame(payload)
        return
      case WireType.ResumeInit:
        this.#answerResume(payload)
        return
      case WireType.ResumeReply:
        this.#completeResume(payload)
        return
      default:
        throw new PairlineError(ErrorCode.UnexpectedMessage, 'Unexpected message on a session topic.')
    }
  }

  #answerResume(message1: Uint8Array): void {
    // Both sides resuming at once: the wallet's attempt wins (docs/PROTOCOL.md §8).
    if (this.#resume && this.role === 'wallet') return
    const oldSend = this.#sendTopic
    const oldRecv = this.#recvTopic
    const r = answerResume({
      role: this.role,
      sessionId: this.sessionId,
      resumePsk: this.#resumePsk,
      message1,
      payload: RESUME_PAYLOAD,
      randomBytes: this.#o.randomBytes,
    })
    this.#resume?.destroy()
    this.#resume = null
    this.#o.relay.publish(oldSend, r.message2, { ttlSeconds: this.#o.ttlSeconds ?? 86_400 }).catch(() => {})
    this.#switchTo(r.result, oldRecv)
  }

  #completeResume(message2: Uint8Array): void {
    if (!this.#resume) throw new PairlineError(ErrorCode.HandshakeWrongState, 'No resume in progress.')
    const oldRecv = this.#recvTopic
    const { result } = this.#resume.readReply(message2)
    this.#resume = null
    this.#switchTo(result, oldRecv)
  }

  #switchTo(result: HandshakeResult, oldRecv: string): void {
    this.#install(result)
    const relay = this.#o.relay
    relay
      .subscribe([this.#recvTopic])
      .then(() => relay.unsubscribe([oldRecv]))
      .catch(() => {})
    void this.#save()
    this.emit('resumed')
    this.#retransmit()
  }

  #handleFrame(frame: Uint8Array): void {
    if (!this.#rx) throw new PairlineError(ErrorCode.HandshakeWrongState, 'No keys yet (resuming).')
    const { plaintext } = this.#rx.open(frame, this.#o.now())
    const message = decodeSessionMessage(plaintext)
    wipe(plaintext)
    // The peer's cumulative ack releases our retransmission buffer.
    const before = this.#unacked.length
    this.#unacked = this.#unacked.filter((u) => u.seq > message.ack)
    let changed = this.#unacked.length !== before
    if (message.seq === 0 || !isReliable(message.t)) {
      if (changed) void this.#save()
      if (message.seq === 0) this.emit('message', message)
      return
    }
    const seq = message.seq
    if (seq <= this.#recvSeq || this.#recvAhead.includes(seq)) {
      this.#scheduleAck() // a duplicate: the peer did not see our ack yet
      if (changed) void this.#save()
      return
    }
    if (seq === this.#recvSeq + 1) {
      this.#recvSeq = seq
      while (this.#recvAhead[0] === this.#recvSeq + 1) this.#recvSeq = this.#recvAhead.shift() as number
    } else {
      this.#recvAhead.push(seq)
      this.#recvAhead.sort((a, b) => a - b)
    }
    changed = true
    void this.#save()
    this.#scheduleAck()
    this.emit('message', message)
  }

  /** Stops listening, wipes keys and the resume psk. Does not notify the peer (send 'close' first). */
  async close(): Promise<void> {
    if (this.#closed) return
    await this.#saving
    this.#closed = true
    this.#cancelAck()
    this.#o.relay.off('message', this.#onMessage)
    this.#o.relay.off('open', this.#onOpen)
    // Not awaited: with the relay unreachable it would wait for a reconnect that may never come.
    this.#o.relay.unsubscribe([this.#recvTopic]).catch(() => {})
    this.#tx?.destroy()
    this.#rx?.destroy()
    this.#resume?.destroy()
    wipe(this.#resumePsk)
    this.removeAllListeners()
  }
}
