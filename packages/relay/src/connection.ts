import {
  ACK_ITEM_LEN,
  ACK_ITEMS_AT,
  type ClientFrame,
  clientFrameOp,
  decodeClientFrame,
  encodeError,
  MESSAGE_ID_LEN,
  Op,
  PUBLISH_ID_AT,
  PUBLISH_PAYLOAD_AT,
  PUBLISH_TOPIC_AT,
  PUBLISH_TTL_AT,
  RelayCloseCode,
  RelayErrorCode,
  Reply,
  ridAt,
  TOPIC_LEN,
} from '@pairline/wire'
import type { WebSocket } from 'ws'
import { Message, type PublishResult, type StoredMessage, type Subscriber } from './broker/types.js'
import { Budget } from './budget.js'
import type { ConnectionContext } from './context.js'
import { after, ERROR_TEXT, isPromise, okFrame, ridOf, STORAGE_LIMIT, terminate } from './frames.js'
import { bytesKey, idKeyAt, isKeyAt, topicKeyAt } from './keys.js'
import type { RelayLimits } from './limits.js'
import { binaryHeader } from './wsFrames.js'

const kConnection = Symbol('pairline.connection')
/** Above this many topics a connection keeps a Set of them too. */
const INDEX_FROM = 16
type Tagged = WebSocket & {
  [kConnection]?: Connection
  _socket?: { cork(): void; uncork(): void; write(chunk: Uint8Array): boolean }
}

/** The Connection a socket belongs to (set once, when the relay accepts it). */
export function connectionOf(ws: WebSocket): Connection | undefined {
  return (ws as Tagged)[kConnection]
}

// Shared listeners (`this` is the socket): no closures per connection, which matters at 10^4 sockets.
function onSocketMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  connectionOf(this)?.onMessage(data, isBinary)
}
function onSocketPong(this: WebSocket): void {
  const c = connectionOf(this)
  if (c) c.alive = true
}

/**
 * The connections corked in this tick, uncorked together by one nextTick callback (one queued
 * callback per tick instead of one per connection). Iterated by index: an uncork that corks
 * another connection (it cannot today) would still be flushed in the same pass.
 */
const corked: Connection[] = []
function uncorkAll(): void {
  for (let i = 0; i < corked.length; i++) corked[i]!.uncork()
  corked.length = 0
}

/** Topic keys of one ACK frame, checked whole before any is acked (synchronous use only). */
const ackTopics: string[] = []

/**
 * One client socket. Frames are handled in arrival order; a Broker that answers with promises is
 * awaited in a chain so order still holds. Nothing here reads a payload. Writes made in one tick
 * are corked into one syscall.
 */
export class Connection implements Subscriber {
  /**
   * Subscribed topic keys; an array, since it is usually small (1–4: a dApp, a wallet with one
   * session), with a Set beside it once there are more (a wallet holding many sessions), so that an
   * ACK's check stays O(1) up to maxTopicsPerConnection.
   */
  readonly topics: string[] = []
  #index: Set<string> | null = null
  alive = true
  readonly ws: WebSocket
  /** the per-IP limit key of the client's address */
  readonly source: string
  /** unique among this relay's connections: the per-connection quotas count it */
  readonly id: number
  readonly #ctx: ConnectionContext
  readonly #budget: Budget
  #chain: Promise<void> | null = null
  /** released, or being closed for bad frames: nothing more is handled */
  #closed = false
  #corked = false
  /**
   * Reply mode 2 (§13.3.1, negotiated with the `pairline-relay.2` subprotocol): successful ACKs get
   * no reply, and OKs are coalesced into the one for the last request handled before the tick ends.
   */
  readonly #quiet: boolean
  /** mode 2: the rid of the last successful request not yet answered, or -1 */
  #pendingOk = -1
  /**
   * The key of the topic this connection last published to: a client publishes to the same topic
   * (its session's) again and again, and a key whose hash V8 has computed once is looked up faster
   * than a new string for every PUBLISH.
   */
  #publishedKey = ''

  constructor(ws: WebSocket, source: string, id: number, ctx: ConnectionContext, quiet = false) {
    this.ws = ws
    this.source = source
    this.id = id
    this.#ctx = ctx
    this.#quiet = quiet
    this.#budget = new Budget(ctx.limits, ctx.now())
    ;(ws as Tagged)[kConnection] = this
    ws.on('message', onSocketMessage)
    ws.on('pong', onSocketPong)
  }

  /**
   * A bad frame (malformed, text, over the frame rate) spends from a small bucket of its own; when
   * it is empty the connection is closed (1008), so errors stop being free: a flood of garbage
   * gets `badFrameBurst` answers, then a close. False when the connection is closing.
   */
  #strike(now: number): boolean {
    if (this.#budget.bad(now)) return true
    const { metrics } = this.#ctx
    metrics.limit('bad_frames')
    metrics.drop('bad_frames')
    this.#closed = true
    this.ws.close(RelayCloseCode.PolicyViolation, 'too many bad frames')
    // A client that sends garbage may not answer the close either: it gets 1 s, not ws's 30.
    setTimeout(terminate, 1000, this.ws).unref()
    return false
  }

  deliver(message: StoredMessage): void {
    if (this.#send(message.frame)) this.#ctx.metrics.messagesOut++
  }

  onMessage(data: Buffer, isBinary: boolean): void {
    this.alive = true
    if (this.#chain) {
      this.#chain = this.#chain.then(() => this.#handle(data, isBinary))
      return
    }
    const r = this.#handle(data, isBinary)
    if (r) {
      const chain: Promise<void> = r.finally(() => {
        if (this.#chain === chain) this.#chain = null
      })
      this.#chain = chain
    }
  }

  /** End of the tick: the coalesced OK (mode 2) goes out, then the tick's writes leave in one syscall. */
  uncork(): void {
    if (this.#pendingOk >= 0) this.#flushOk()
    this.#corked = false
    ;(this.ws as Tagged)._socket?.uncork()
  }

  /** Corks the socket until the end of the tick (once per tick). */
  #cork(ws: Tagged): void {
    if (this.#corked) return
    this.#corked = true
    ws._socket?.cork()
    if (corked.length === 0) process.nextTick(uncorkAll)
    corked.push(this)
  }

  /** A request succeeded: OK now (mode 1), or at the end of the tick for every request till now (mode 2). */
  #ok(rid: number): void {
    if (!this.#quiet) return void this.#send(okFrame(rid))
    const ws = this.ws as Tagged
    if (this.#closed || ws.readyState !== ws.OPEN) return
    this.#pendingOk = rid
    this.#cork(ws)
  }

  #flushOk(): void {
    const rid = this.#pendingOk
    this.#pendingOk = -1
    this.#send(okFrame(rid))
  }

  /** Sends unless closed; replies count against maxBufferedBytes too, not only deliveries. */
  #send(frame: Uint8Array): boolean {
    const ws = this.ws as Tagged
    if (this.#closed || ws.readyState !== ws.OPEN) return false
    if (ws.bufferedAmount > this.#ctx.limits.maxBufferedBytes) {
      // A reader that does not keep up is cut off; its messages stay in the mailbox.
      this.#ctx.metrics.limit('buffered_bytes')
      this.#ctx.metrics.drop('slow_consumer')
      ws.close(RelayCloseCode.TryAgainLater, 'too slow')
      return false
    }
    this.#cork(ws)
    // Written as ws would write it, without ws.send()'s per-frame objects (wsFrames.ts).
    const socket = ws._socket
    if (socket) {
      socket.write(binaryHeader(frame.length))
      socket.write(frame)
    } else ws.send(frame)
    return true
  }

  #error(rid: number, code: RelayErrorCode): void {
    this.#ctx.metrics.error(code)
    // Replies stay in request order: the OK of everything before this request goes first.
    if (this.#pendingOk >= 0) this.#flushOk()
    this.#send(encodeError(rid, code, ERROR_TEXT[code] ?? 'error'))
  }

  /** Rate first, then decoding: a frame that is never decoded still spends the sender's budget. */
  #handle(data: Buffer, isBinary: boolean): Promise<void> | undefined {
    if (this.#closed) return
    const now = this.#ctx.now()
    if (!this.#budget.frame(now)) {
      this.#ctx.metrics.limit('frame_rate')
      if (this.#strike(now)) this.#error(ridOf(data, isBinary), RelayErrorCode.RateLimited)
      return
    }
    if (!isBinary) {
      if (this.#strike(now)) this.#error(0, RelayErrorCode.NotBinary)
      return
    }
    // PUBLISH and ACK, one each per delivered message, are read in place; the rest is decoded.
    const op = clientFrameOp(data)
    if (op === 0) {
      if (this.#strike(now)) this.#error(ridOf(data, true), RelayErrorCode.MalformedFrame)
      return
    }
    try {
      if (op === Op.Publish) return this.#publish(data, now, this.#ctx.limits)
      if (op === Op.Ack) return this.#ack(data)
      return this.#dispatch(decodeClientFrame(data)!, now, this.#ctx.limits)
    } catch (err) {
      this.#ctx.logger('error', 'frame handling failed', { op, error: String((err as Error)?.name) })
      return void this.#error(ridAt(data), RelayErrorCode.MalformedFrame)
    }
  }

  /** SUBSCRIBE, UNSUBSCRIBE and PING (PUBLISH and ACK are read in place, see #handle). */
  #dispatch(frame: ClientFrame, now: number, limits: RelayLimits): Promise<void> | undefined {
    switch (frame.op) {
      case Op.Subscribe:
        return this.#subscribe(frame.rid, frame.topics, now, limits)
      case Op.Unsubscribe: {
        const results: unknown[] = []
        for (const t of frame.topics) {
          const i = this.topics.indexOf(bytesKey(t))
          if (i < 0) continue
          const [k] = this.topics.splice(i, 1) as [string]
          this.#index?.delete(k)
          this.#ctx.subscriptions.remove(this.source, 1)
          results.push(this.#ctx.broker.unsubscribe(k, this))
        }
        return after(this.#ctx.logger, results.some(isPromise) ? Promise.all(results) : undefined, () =>
          this.#ok(frame.rid),
        )
      }
      case Op.Ping:
        return void this.#ok(frame.rid)
      default:
        return undefined
    }
  }

  /** A well-formed PUBLISH frame (clientFrameOp), its fields read at their offsets. */
  #publish(data: Buffer, now: number, limits: RelayLimits) {
    const { broker, metrics } = this.#ctx
    const rid = ridAt(data)
    if (!this.#budget.publish(now)) {
      metrics.limit('publish_rate')
      return void this.#error(rid, RelayErrorCode.RateLimited)
    }
    const ttl = data.readUInt32BE(PUBLISH_TTL_AT)
    if (ttl < 1 || ttl > limits.maxTtlSeconds) {
      metrics.limit('ttl')
      return void this.#error(rid, RelayErrorCode.TtlOutOfRange)
    }
    let topicKey = this.#publishedKey
    if (topicKey.length !== TOPIC_LEN || !isKeyAt(topicKey, data, PUBLISH_TOPIC_AT)) {
      topicKey = topicKeyAt(data, PUBLISH_TOPIC_AT)
      this.#publishedKey = topicKey
    }
    // MESSAGE = op ‖ topic ‖ id ‖ payload: the PUBLISH's bytes without rid and ttl (§13.3).
    const size = data.length - PUBLISH_PAYLOAD_AT
    const length = 1 + TOPIC_LEN + MESSAGE_ID_LEN + size
    const frame = broker.frameBuffer?.(length) ?? new Uint8Array(length)
    frame[0] = Reply.Message
    // Plain Uint8Array views to copy from: cheaper to make than Buffer subarrays.
    const bytes = data.buffer
    frame.set(new Uint8Array(bytes, data.byteOffset + PUBLISH_TOPIC_AT, TOPIC_LEN + MESSAGE_ID_LEN), 1)
    frame.set(
      new Uint8Array(bytes, data.byteOffset + PUBLISH_PAYLOAD_AT, size),
      1 + TOPIC_LEN + MESSAGE_ID_LEN,
    )
    const message = new Message(
      topicKey,
      idKeyAt(data, PUBLISH_ID_AT),
      frame,
      size,
      now + ttl * 1000,
      now,
      this.source,
      this.id,
    )
    const r = broker.publish(message)
    // The in-memory broker answers synchronously: no closure on that path, it runs per message.
    if (!isPromise(r)) return void this.#published(rid, size, r as PublishResult)
    return after(this.#ctx.logger, r, (v) => this.#published(rid, size, v))
  }

  #subscribe(rid: number, topics: Uint8Array[], now: number, limits: RelayLimits) {
    const fresh: string[] = []
    for (const t of topics) {
      const k = bytesKey(t)
      if (!this.#has(k) && !fresh.includes(k)) fresh.push(k)
    }
    const counts = this.#ctx.subscriptions
    const over =
      this.topics.length + fresh.length > limits.maxTopicsPerConnection
        ? 'topics_per_connection'
        : counts.of(this.source) + fresh.length > limits.maxTopicsPerIp
          ? 'topics_per_ip'
          : counts.total + fresh.length > limits.maxSubscriptions
            ? 'subscriptions'
            : null
    if (over !== null) {
      this.#ctx.metrics.limit(over)
      return void this.#error(rid, RelayErrorCode.TooManyTopics)
    }
    for (const k of fresh) this.topics.push(k)
    if (this.#index) for (const k of fresh) this.#index.add(k)
    else if (this.topics.length > INDEX_FROM) this.#index = new Set(this.topics)
    counts.add(this.source, fresh.length)
    const results = fresh.map((k) => this.#ctx.broker.subscribe(k, this, now))
    return after(this.#ctx.logger, results.some(isPromise) ? Promise.all(results) : undefined, () =>
      this.#ok(rid),
    )
  }

  /**
   * Only a subscriber of a topic may ack (and so delete) its messages: the batch is checked whole.
   * A well-formed ACK frame (clientFrameOp), its items read at their offsets.
   */
  #ack(data: Buffer) {
    // Runs per delivered message: plain loops, no views, and no closure unless the broker is async.
    const rid = ridAt(data)
    const n = data[5]!
    ackTopics.length = 0
    for (let i = 0; i < n; i++) {
      const t = this.#subscribedAt(data, ACK_ITEMS_AT + i * ACK_ITEM_LEN)
      if (t === null) {
        this.#ctx.metrics.limit('foreign_ack')
        return void this.#error(rid, RelayErrorCode.NotSubscribed)
      }
      ackTopics.push(t)
    }
    let pending: unknown[] | null = null
    for (let i = 0; i < n; i++) {
      const r = this.#ctx.broker.ack(
        ackTopics[i]!,
        idKeyAt(data, ACK_ITEMS_AT + i * ACK_ITEM_LEN + TOPIC_LEN),
      )
      if (!isPromise(r)) continue
      pending ??= []
      pending.push(r)
    }
    ackTopics.length = 0
    // Mode 2: a successful ACK is not answered (§13.3.1).
    if (!pending) return this.#quiet ? undefined : void this.#send(okFrame(rid))
    return after(this.#ctx.logger, Promise.all(pending), () => {
      if (!this.#quiet) this.#send(okFrame(rid))
    })
  }

  /** The key of the topic at `at` in `data` if this connection subscribes to it, else null. */
  #subscribedAt(data: Buffer, at: number): string | null {
    if (this.#index) {
      const k = topicKeyAt(data, at)
      return this.#index.has(k) ? k : null
    }
    for (const k of this.topics) if (isKeyAt(k, data, at)) return k
    return null
  }

  #published(rid: number, size: number, r: PublishResult): void {
    const metrics = this.#ctx.metrics
    if (r.ok) {
      if (!r.duplicate) {
        metrics.messagesIn++
        metrics.bytesIn += size
      }
      if (r.notStored !== undefined) {
        metrics.limit(STORAGE_LIMIT[r.notStored] ?? 'storage')
        metrics.drop('delivered_not_stored')
      }
      this.#ok(rid)
    } else if (r.code === RelayErrorCode.StorageUnavailable) {
      metrics.drop('storage_unavailable')
      this.#error(rid, r.code)
    } else {
      metrics.limit(STORAGE_LIMIT[r.code] ?? 'storage')
      metrics.drop('mailbox_full')
      this.#error(rid, r.code)
    }
  }

  #has(topicKey: string): boolean {
    return this.#index ? this.#index.has(topicKey) : this.topics.includes(topicKey)
  }

  /** Called once when the socket closes: releases every subscription. */
  release(): void {
    this.#closed = true
    this.#ctx.subscriptions.remove(this.source, this.topics.length)
    this.#index = null
    for (const k of this.topics) {
      const r = this.#ctx.broker.unsubscribe(k, this)
      if (isPromise(r)) (r as Promise<void>).catch(() => {})
    }
    this.topics.length = 0
  }
}
