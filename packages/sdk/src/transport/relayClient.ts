import { MAX_BATCH, MESSAGE_ID_LEN, Op, RelayCloseCode } from '@pairline/wire'
import { EventEmitter } from 'eventemitter3'
import type { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { toBase64Url } from '../protocol/bytes.js'
import type { Topic } from '../protocol/topics.js'
import { createAckBatcher } from './ackBatcher.js'
import { backoffDelay } from './backoff.js'
import { Connection } from './connection.js'
import { invalidArgument, listenerFailed, sessionClosed } from './errors.js'
import { resolveOptions } from './options.js'
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

export const DEFAULT_TTL_SECONDS = 86_400
const MAX_TTL_SECONDS = 0xffff_ffff
/** After close 1008 or 1013 (the relay asks us to come back later) the backoff starts at this step. */
const BACK_OFF_STEP = 2

/**
 * A client of the Pairline relay (docs/PROTOCOL.md §13): one WebSocket, reconnected with exponential
 * backoff and jitter; subscriptions remembered and renewed on every connection; publishes queued
 * while disconnected and sent again, with the same id, until the relay answers.
 */
export function createRelayClient(options: RelayClientOptions): RelayClient {
  const config = resolveOptions(options)
  const emitter = new EventEmitter<RelayClientEvents>()
  /** The topics the caller wants: subscribed again on every connection. */
  const topics = new Set<Topic>()
  /** The one listener of each routed topic: a message reaches its topic's listener, no other. */
  const routes = new Map<Topic, (message: RelayMessage) => void>()
  /** Requests waiting for an open connection, in call order. */
  const queue: Request[] = []
  let status: RelayClientStatus = 'connecting'
  let connection: Connection | null = null
  /** Reconnect attempts since the last healthy connection. */
  let failures = 0
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined
  let closing: Promise<void> | null = null

  /** Emits without ever letting a listener's exception into our socket callbacks. */
  function emit<E extends RelayClientEventName>(event: E, ...args: Parameters<RelayClientEvents[E]>): void {
    try {
      ;(emitter.emit as (event: E, ...args: unknown[]) => boolean)(event, ...args)
    } catch (err) {
      if (event !== 'error') emit('error', listenerFailed(event, err))
    }
  }

  const acks = createAckBatcher((batch) => {
    connection?.send(
      ackRequest(batch, {
        ok() {},
        fail(error) {
          if (error.code === ErrorCode.RelayRejected) emit('error', error)
        },
      }),
    )
  })

  /** Sends now when open, else queues. Pending acks go first, so frames keep the call order. */
  function send(request: Request): void {
    acks.flush()
    if (!connection?.send(request)) queue.push(request)
  }

  function call(make: (settle: Settle) => Request): Promise<void> {
    return new Promise<void>((resolve, reject) => send(make({ ok: resolve, fail: reject })))
  }

  function connect(): void {
    reconnectTimer = undefined
    const conn: Connection = new Connection(config, {
      open: () => onOpen(conn),
      message: onMessage,
      stable() {
        failures = 0
      },
      error: (error) => emit('error', error),
      lost: onLost,
    })
    connection = conn
  }

  function onOpen(conn: Connection): void {
    status = 'open'
    // Subscribe again to what was subscribed, unless a queued SUBSCRIBE covers it anyway.
    const covered = new Set<Topic>()
    for (const r of queue) for (const t of r.subscribes) covered.add(t)
    const again = [...topics].filter((t) => !covered.has(t)).map(parseTopic)
    for (const batch of chunks(again, MAX_BATCH)) {
      send(
        subscribeRequest(Op.Subscribe, batch, {
          ok() {},
          fail(error) {
            if (error.code === ErrorCode.RelayRejected) emit('error', error)
          },
        }),
      )
    }
    for (const request of queue.splice(0)) send(request)
    if (connection === conn) emit('open')
  }

  function onMessage(topicBytes: Uint8Array, id: Uint8Array, payload: Uint8Array): void {
    const topic = toBase64Url(topicBytes)
    // Not (or no longer) subscribed: a delivery that crossed an UNSUBSCRIBE.
    if (!topics.has(topic)) return
    const message: RelayMessage = { topic, id: id.slice(), payload: payload.slice() }
    const routed = routes.get(topic)
    if (routed) {
      try {
        routed(message)
      } catch (err) {
        emit('error', listenerFailed(`route ${topic}`, err))
      }
    }
    emit('message', message)
  }

  function route(topic: Topic, fn: (message: RelayMessage) => void): () => void {
    parseTopic(topic)
    if (typeof fn !== 'function') throw invalidArgument('A route needs a listener function.')
    if (routes.has(topic)) throw invalidArgument('This topic already has a listener.', topic)
    routes.set(topic, fn)
    return () => {
      if (routes.get(topic) === fn) routes.delete(topic)
    }
  }

  function onLost(reason: PairlineError, closeCode: number | undefined, retry: Request[]): void {
    connection = null
    acks.clear()
    queue.unshift(...retry)
    if (status === 'closed') return
    status = 'reconnecting'
    const backOff = closeCode === RelayCloseCode.PolicyViolation || closeCode === RelayCloseCode.TryAgainLater
    const step = backOff ? Math.max(failures, BACK_OFF_STEP) : failures
    const delayMs = backoffDelay(step, config.backoff, config.random)
    failures = step + 1
    emit('reconnecting', { attempt: failures, delayMs, reason })
    // A listener may have closed the client.
    if (status === 'reconnecting' && reconnectTimer === undefined)
      reconnectTimer = setTimeout(connect, delayMs)
  }

  async function subscribe(list: readonly Topic[]): Promise<void> {
    const parsed = parseTopics(list)
    if (status === 'closed') throw sessionClosed()
    const fresh = new Set(parsed.filter((t) => !topics.has(t.topic)).map((t) => t.topic))
    for (const t of parsed) topics.add(t.topic)
    const forget = (batch: ParsedTopic[]) => {
      for (const t of batch) if (fresh.has(t.topic)) topics.delete(t.topic)
    }
    await Promise.all(
      chunks(parsed, MAX_BATCH).map((batch) =>
        call(({ ok, fail }) =>
          subscribeRequest(Op.Subscribe, batch, {
            ok,
            fail(error) {
              // Refused (e.g. TOO_MANY_TOPICS): do not subscribe again on the next connection.
              if (error.code === ErrorCode.RelayRejected) forget(batch)
              fail(error)
            },
          }),
        ),
      ),
    )
  }

  async function unsubscribe(list: readonly Topic[]): Promise<void> {
    const parsed = parseTopics(list)
    if (status === 'closed') throw sessionClosed()
    for (const t of parsed) topics.delete(t.topic)
    await Promise.all(
      chunks(parsed, MAX_BATCH).map((batch) =>
        call((settle) => subscribeRequest(Op.Unsubscribe, batch, settle)),
      ),
    )
  }

  async function publish(topic: Topic, payload: Uint8Array, opts: PublishOptions = {}): Promise<Uint8Array> {
    const { bytes } = parseTopic(topic)
    if (!(payload instanceof Uint8Array) || payload.length === 0) {
      throw invalidArgument('A payload must be a non-empty Uint8Array.')
    }
    const ttl = opts.ttlSeconds ?? DEFAULT_TTL_SECONDS
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
      throw invalidArgument('ttlSeconds must be a whole number of seconds from 1.', `got ${String(ttl)}`)
    }
    const id = (opts.id ?? config.randomBytes(MESSAGE_ID_LEN)) as unknown
    if (!(id instanceof Uint8Array) || id.length !== MESSAGE_ID_LEN) {
      throw invalidArgument(`A message id must be a Uint8Array of ${MESSAGE_ID_LEN} bytes.`)
    }
    if (status === 'closed') throw sessionClosed()
    // Copies: the request may be sent again later, whatever the caller does with its buffers.
    const stored = id.slice()
    await call((settle) => publishRequest(bytes, stored, ttl, payload.slice(), settle))
    return stored.slice()
  }

  function ack(topic: Topic, id: Uint8Array): void {
    const { bytes } = parseTopic(topic)
    if (!(id instanceof Uint8Array) || id.length !== MESSAGE_ID_LEN) {
      throw invalidArgument(`A message id must be a Uint8Array of ${MESSAGE_ID_LEN} bytes.`)
    }
    // Disconnected: dropped; the relay delivers the message again (at-least-once). Not subscribed
    // (any more): dropped too, the relay would refuse it with NOT_SUBSCRIBED.
    if (!connection?.isOpen || !topics.has(topic)) return
    acks.add({ topic: bytes, id: id.slice() })
  }

  function close(): Promise<void> {
    if (closing) return closing
    status = 'closed'
    clearTimeout(reconnectTimer)
    reconnectTimer = undefined
    acks.clear()
    const conn = connection
    connection = null
    const pending = [...(conn?.close() ?? []), ...queue.splice(0)]
    for (const request of pending) request.fail(sessionClosed())
    // Waits for the socket's close, but not for ever: a peer that never answers the close frame.
    const closed = conn ? within(conn.closed, config.requestTimeoutMs) : Promise.resolve()
    closing = closed.then(() => emit('close'))
    return closing
  }

  const client: RelayClient = {
    get status() {
      return status
    },
    subscribe,
    unsubscribe,
    route,
    publish,
    ack,
    on(event, fn) {
      emitter.on(event, fn as never)
      return client
    },
    once(event, fn) {
      emitter.once(event, fn as never)
      return client
    },
    off(event, fn) {
      emitter.off(event, fn as never)
      return client
    },
    close,
  }

  connect()
  return client
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
