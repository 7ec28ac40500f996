import { MAX_BATCH, Op, RelayCloseCode } from '@pairline/wire'
import { EventEmitter } from 'eventemitter3'
import type { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { toBase64Url } from '../protocol/bytes.js'
import type { Topic } from '../protocol/topics.js'
import { type AckBatcher, createAckBatcher } from './ackBatcher.js'
import { backoffDelay } from './backoff.js'
import { Connection } from './connection.js'
import { invalidArgument, listenerFailed, sessionClosed } from './errors.js'
import { type ResolvedOptions, resolveOptions } from './options.js'
import { checkMessageId, publishArgs } from './publishArgs.js'
import { ackRequest, publishRequest, type Request, type Settle, subscribeRequest } from './request.js'
import { chunks, type ParsedTopic, parseTopic, parseTopics } from './topic.js'
import type {
  PublishOptions,
  RelayClient,
  RelayClientEventName,
  RelayClientEvents,
  RelayClientOptions,
  RelayClientStatus,
  RelayMessage,
} from './types.js'

export { DEFAULT_TTL_SECONDS } from './publishArgs.js'

/** After close 1008 or 1013 (the relay asks us to come back later) the backoff starts at this step. */
const BACK_OFF_STEP = 2

/** Reports a refused request that no caller waits for (a re-subscribe, an ack batch). */
const reportRefusal = (emit: (e: PairlineError) => void): Settle => ({
  ok() {},
  fail(error) {
    if (error.code === ErrorCode.RelayRejected) emit(error)
  },
})

/**
 * A client of the Pairline relay (docs/PROTOCOL.md §13): one WebSocket, reconnected with exponential
 * backoff and jitter; subscriptions remembered and renewed on every connection; publishes queued
 * while disconnected and sent again, with the same id, until the relay answers.
 */
export function createRelayClient(options: RelayClientOptions): RelayClient {
  return new Client(resolveOptions(options))
}

class Client implements RelayClient {
  readonly #config: ResolvedOptions
  readonly #emitter = new EventEmitter<RelayClientEvents>()
  /** The topics the caller wants: subscribed again on every connection. */
  readonly #topics = new Set<Topic>()
  /** The one listener of each routed topic: a message reaches its topic's listener, no other. */
  readonly #routes = new Map<Topic, (message: RelayMessage) => void>()
  /** Requests waiting for an open connection, in call order. */
  readonly #queue: Request[] = []
  readonly #acks: AckBatcher
  #status: RelayClientStatus = 'connecting'
  #connection: Connection | null = null
  /** Reconnect attempts since the last healthy connection. */
  #failures = 0
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined
  #closing: Promise<void> | null = null

  constructor(config: ResolvedOptions) {
    this.#config = config
    const refused = reportRefusal((e) => this.#emit('error', e))
    this.#acks = createAckBatcher(
      (batch) => this.#connection?.send(ackRequest(batch, refused)),
      config.timers,
    )
    this.#connect()
  }

  get status(): RelayClientStatus {
    return this.#status
  }

  /** Emits without ever letting a listener's exception into our socket callbacks. */
  #emit<E extends RelayClientEventName>(event: E, ...args: Parameters<RelayClientEvents[E]>): void {
    try {
      ;(this.#emitter.emit as (event: E, ...args: unknown[]) => boolean)(event, ...args)
    } catch (err) {
      if (event !== 'error') this.#emit('error', listenerFailed(event, err))
    }
  }

  /**
   * Sends now when open, else queues. Held acks go first, so frames keep the call order, and in the
   * same socket write where the socket can be corked (§13.9).
   */
  #send(request: Request): void {
    const conn = this.#connection
    const send = (): boolean => {
      this.#acks.flush()
      return conn?.send(request) === true
    }
    if (!(conn !== null && this.#acks.pending ? conn.corked(send) : send())) this.#queue.push(request)
  }

  #call(make: (settle: Settle) => Request): Promise<void> {
    return new Promise<void>((resolve, reject) => this.#send(make({ ok: resolve, fail: reject })))
  }

  #connect(): void {
    this.#reconnectTimer = undefined
    const conn: Connection = new Connection(this.#config, {
      open: () => this.#onOpen(conn),
      message: (topic, id, payload) => this.#onMessage(topic, id, payload),
      stable: () => {
        this.#failures = 0
      },
      error: (error) => this.#emit('error', error),
      lost: (reason, closeCode, retry) => this.#onLost(reason, closeCode, retry),
    })
    this.#connection = conn
  }

  #onOpen(conn: Connection): void {
    this.#status = 'open'
    // Subscribe again to what was subscribed, unless a queued SUBSCRIBE covers it anyway.
    const covered = new Set<Topic>()
    for (const r of this.#queue) for (const t of r.subscribes) covered.add(t)
    const again = [...this.#topics].filter((t) => !covered.has(t)).map(parseTopic)
    const refused = reportRefusal((e) => this.#emit('error', e))
    for (const batch of chunks(again, MAX_BATCH)) this.#send(subscribeRequest(Op.Subscribe, batch, refused))
    for (const request of this.#queue.splice(0)) this.#send(request)
    if (this.#connection === conn) this.#emit('open')
  }

  #onMessage(topicBytes: Uint8Array, id: Uint8Array, payload: Uint8Array): void {
    const topic = toBase64Url(topicBytes)
    // Not (or no longer) subscribed: a delivery that crossed an UNSUBSCRIBE.
    if (!this.#topics.has(topic)) return
    const message: RelayMessage = { topic, id: id.slice(), payload: payload.slice() }
    const routed = this.#routes.get(topic)
    if (routed) {
      try {
        routed(message)
      } catch (err) {
        this.#emit('error', listenerFailed(`route ${topic}`, err))
      }
    }
    this.#emit('message', message)
  }

  #onLost(reason: PairlineError, closeCode: number | undefined, retry: Request[]): void {
    this.#connection = null
    this.#acks.clear()
    this.#queue.unshift(...retry)
    if (this.#status === 'closed') return
    this.#status = 'reconnecting'
    const backOff = closeCode === RelayCloseCode.PolicyViolation || closeCode === RelayCloseCode.TryAgainLater
    const step = backOff ? Math.max(this.#failures, BACK_OFF_STEP) : this.#failures
    const delayMs = backoffDelay(step, this.#config.backoff, this.#config.random)
    this.#failures = step + 1
    this.#emit('reconnecting', { attempt: this.#failures, delayMs, reason })
    // A listener may have closed the client.
    if (this.#status === 'reconnecting' && this.#reconnectTimer === undefined)
      this.#reconnectTimer = setTimeout(() => this.#connect(), delayMs)
  }

  route(topic: Topic, fn: (message: RelayMessage) => void): () => void {
    parseTopic(topic)
    if (typeof fn !== 'function') throw invalidArgument('A route needs a listener function.')
    if (this.#routes.has(topic)) throw invalidArgument('This topic already has a listener.', topic)
    this.#routes.set(topic, fn)
    return () => {
      if (this.#routes.get(topic) === fn) this.#routes.delete(topic)
    }
  }

  async subscribe(list: readonly Topic[]): Promise<void> {
    const parsed = parseTopics(list)
    if (this.#status === 'closed') throw sessionClosed()
    const fresh = new Set(parsed.filter((t) => !this.#topics.has(t.topic)).map((t) => t.topic))
    for (const t of parsed) this.#topics.add(t.topic)
    const forget = (batch: ParsedTopic[]) => {
      for (const t of batch) if (fresh.has(t.topic)) this.#topics.delete(t.topic)
    }
    const subscribeBatch = (batch: ParsedTopic[]) =>
      this.#call(({ ok, fail }) =>
        subscribeRequest(Op.Subscribe, batch, {
          ok,
          fail(error) {
            // Refused (e.g. TOO_MANY_TOPICS): do not subscribe again on the next connection.
            if (error.code === ErrorCode.RelayRejected) forget(batch)
            fail(error)
          },
        }),
      )
    await Promise.all(chunks(parsed, MAX_BATCH).map(subscribeBatch))
  }

  async unsubscribe(list: readonly Topic[]): Promise<void> {
    const parsed = parseTopics(list)
    if (this.#status === 'closed') throw sessionClosed()
    for (const t of parsed) this.#topics.delete(t.topic)
    await Promise.all(
      chunks(parsed, MAX_BATCH).map((batch) =>
        this.#call((settle) => subscribeRequest(Op.Unsubscribe, batch, settle)),
      ),
    )
  }

  async publish(topic: Topic, payload: Uint8Array, opts: PublishOptions = {}): Promise<Uint8Array> {
    const args = publishArgs(topic, payload, opts, this.#config.randomBytes)
    if (this.#status === 'closed') throw sessionClosed()
    await this.#call((settle) => publishRequest(args.topic, args.id, args.ttl, args.payload, settle))
    return args.id.slice()
  }

  ack(topic: Topic, id: Uint8Array): void {
    const { bytes } = parseTopic(topic)
    checkMessageId(id)
    // Disconnected: dropped; the relay delivers the message again (at-least-once). Not subscribed
    // (any more): dropped too, the relay would refuse it with NOT_SUBSCRIBED.
    if (!this.#connection?.isOpen || !this.#topics.has(topic)) return
    this.#acks.add({ topic: bytes, id: id.slice() })
  }

  on<E extends RelayClientEventName>(event: E, fn: RelayClientEvents[E]): this {
    this.#emitter.on(event, fn as never)
    return this
  }

  once<E extends RelayClientEventName>(event: E, fn: RelayClientEvents[E]): this {
    this.#emitter.once(event, fn as never)
    return this
  }

  off<E extends RelayClientEventName>(event: E, fn?: RelayClientEvents[E]): this {
    this.#emitter.off(event, fn as never)
    return this
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing
    this.#status = 'closed'
    clearTimeout(this.#reconnectTimer)
    this.#reconnectTimer = undefined
    this.#acks.clear()
    const conn = this.#connection
    this.#connection = null
    const pending = [...(conn?.close() ?? []), ...this.#queue.splice(0)]
    for (const request of pending) request.fail(sessionClosed())
    // Waits for the socket's close, but not for ever: a peer that never answers the close frame.
    const closed = conn ? within(conn.closed, this.#config.requestTimeoutMs) : Promise.resolve()
    this.#closing = closed.then(() => this.#emit('close'))
    return this.#closing
  }
}

/** Resolves when `promise` does or after `ms`, whichever is first; no timer is left behind. */
function within(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    void promise.then(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}
