import {
  type ClientFrame,
  decodeClientFrame,
  encodeError,
  encodeMessage,
  MESSAGE_ID_LEN,
  Op,
  RelayCloseCode,
  RelayErrorCode,
  Reply,
  TOPIC_LEN,
} from '@pairline/wire'
import type { WebSocket } from 'ws'
import {
  type Broker,
  Message,
  type PublishResult,
  type StoredMessage,
  type Subscriber,
} from './broker/types.js'
import type { RelayLimits } from './limits.js'
import type { RelayLogger } from './log.js'
import type { Metrics } from './metrics.js'

export type ConnectionContext = {
  broker: Broker
  limits: RelayLimits
  metrics: Metrics
  logger: RelayLogger
  now: () => number
}

const ERROR_TEXT: Record<number, string> = {
  [RelayErrorCode.MalformedFrame]: 'malformed frame',
  [RelayErrorCode.NotBinary]: 'frames must be binary',
  [RelayErrorCode.TooManyTopics]: 'too many topics on this connection',
  [RelayErrorCode.TopicMailboxFull]: 'topic mailbox full',
  [RelayErrorCode.RelayMailboxFull]: 'relay mailbox full',
  [RelayErrorCode.TtlOutOfRange]: 'ttl out of range',
  [RelayErrorCode.RateLimited]: 'rate limited',
  [RelayErrorCode.NotSubscribed]: 'not subscribed to this topic',
  [RelayErrorCode.ShuttingDown]: 'relay shutting down',
  [RelayErrorCode.StorageUnavailable]: 'storage unavailable, try again later',
  [RelayErrorCode.MailboxLost]: 'the relay lost stored messages: send again what was not acknowledged',
}

/** Map keys for 32-byte topics and 16-byte ids: one char per byte, cheap and exact. */
export function bytesKey(b: Uint8Array): string {
  // Frames from ws are Buffers, and so are the decoder's subarrays of them: no wrapper needed.
  return (b instanceof Buffer ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString('latin1')
}

/**
 * An OK reply, as a Buffer from Node's shared pool rather than wire's encodeOk(): ws sends a Buffer
 * as is but wraps any other Uint8Array in one through its `.buffer`, and for an array this small
 * (V8 keeps those of up to 64 bytes inside the JS heap) that makes V8 move the bytes out into an
 * ArrayBuffer of their own: two more per message (the PUBLISH's OK, the ACK's). Bench at 5,000
 * msg/s: 12 scavenges per 4 s instead of 13, about 650 B/msg less allocated.
 */
function okFrame(rid: number): Buffer {
  const b = Buffer.allocUnsafe(5)
  b[0] = Reply.Ok
  b.writeUInt32BE(rid, 1)
  return b
}

const kConnection = Symbol('pairline.connection')
type Tagged = WebSocket & { [kConnection]?: Connection; _socket?: { cork(): void; uncork(): void } }

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
function uncork(c: Connection): void {
  c.uncork()
}

/**
 * One client socket. Frames are handled in arrival order; a Broker that answers with promises is
 * awaited in a chain so order still holds. Nothing here reads a payload. Writes made in one tick
 * are corked into one syscall.
 */
export class Connection implements Subscriber {
  /** Subscribed topic keys; an array, since it is small (≤ maxTopicsPerConnection) and usually 1–4. */
  readonly topics: string[] = []
  alive = true
  readonly ws: WebSocket
  readonly ip: string
  readonly #ctx: ConnectionContext
  // Two token buckets (publishes, all frames), inlined: four numbers instead of two objects.
  #publishTokens: number
  #publishAt: number
  #frameTokens: number
  #frameAt: number
  #chain: Promise<void> | null = null
  #closed = false
  #corked = false

  constructor(ws: WebSocket, ip: string, ctx: ConnectionContext) {
    this.ws = ws
    this.ip = ip
    this.#ctx = ctx
    const now = ctx.now()
    this.#publishTokens = ctx.limits.publishBurst
    this.#frameTokens = ctx.limits.frameBurst
    this.#publishAt = now
    this.#frameAt = now
    ;(ws as Tagged)[kConnection] = this
    ws.on('message', onSocketMessage)
    ws.on('pong', onSocketPong)
  }

  #takeFrame(now: number): boolean {
    const l = this.#ctx.limits
    this.#frameTokens = Math.min(
      l.frameBurst,
      this.#frameTokens + (Math.max(0, now - this.#frameAt) * l.frameRate) / 1000,
    )
    this.#frameAt = now
    if (this.#frameTokens < 1) return false
    this.#frameTokens -= 1
    return true
  }

  #takePublish(now: number): boolean {
    const l = this.#ctx.limits
    this.#publishTokens = Math.min(
      l.publishBurst,
      this.#publishTokens + (Math.max(0, now - this.#publishAt) * l.publishRate) / 1000,
    )
    this.#publishAt = now
    if (this.#publishTokens < 1) return false
    this.#publishTokens -= 1
    return true
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

  uncork(): void {
    this.#corked = false
    ;(this.ws as Tagged)._socket?.uncork()
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
    if (!this.#corked && ws._socket) {
      this.#corked = true
      ws._socket.cork()
      process.nextTick(uncork, this)
    }
    ws.send(frame)
    return true
  }

  #error(rid: number, code: RelayErrorCode): void {
    this.#ctx.metrics.error(code)
    this.#send(encodeError(rid, code, ERROR_TEXT[code] ?? 'error'))
  }

  #handle(data: Buffer, isBinary: boolean): Promise<void> | undefined {
    const { limits, metrics } = this.#ctx
    if (!isBinary) return void this.#error(0, RelayErrorCode.NotBinary)
    const now = this.#ctx.now()
    const frame = decodeClientFrame(data)
    if (!frame) {
      const rid = data.length >= 5 ? data.readUInt32BE(1) : 0
      return void this.#error(rid, RelayErrorCode.MalformedFrame)
    }
    if (!this.#takeFrame(now)) {
      metrics.limit('frame_rate')
      return void this.#error(frame.rid, RelayErrorCode.RateLimited)
    }
    try {
      return this.#dispatch(frame, now, limits)
    } catch (err) {
      this.#ctx.logger('error', 'frame handling failed', {
        op: frame.op,
        error: String((err as Error)?.name),
      })
      return void this.#error(frame.rid, RelayErrorCode.MalformedFrame)
    }
  }

  #dispatch(frame: ClientFrame, now: number, limits: RelayLimits): Promise<void> | undefined {
    const { broker, metrics } = this.#ctx
    switch (frame.op) {
      case Op.Publish: {
        if (!this.#takePublish(now)) {
          metrics.limit('publish_rate')
          return void this.#error(frame.rid, RelayErrorCode.RateLimited)
        }
        if (frame.ttl < 1 || frame.ttl > limits.maxTtlSeconds) {
          metrics.limit('ttl')
          return void this.#error(frame.rid, RelayErrorCode.TtlOutOfRange)
        }
        const { topic, id, payload } = frame
        const out = broker.frameBuffer?.(1 + TOPIC_LEN + MESSAGE_ID_LEN + payload.length)
        const message = new Message(
          bytesKey(topic),
          bytesKey(id),
          encodeMessage(topic, id, payload, out),
          payload.length,
          now + frame.ttl * 1000,
        )
        const rid = frame.rid
        const r = broker.publish(message)
        // The in-memory broker answers synchronously: no closure on that path, it runs per message.
        if (!isPromise(r)) return void this.#published(rid, message.size, r as PublishResult)
        return this.#then(r, (v) => this.#published(rid, message.size, v))
      }
      case Op.Subscribe: {
        const fresh: string[] = []
        for (const t of frame.topics) {
          const k = bytesKey(t)
          if (!this.topics.includes(k) && !fresh.includes(k)) fresh.push(k)
        }
        if (this.topics.length + fresh.length > limits.maxTopicsPerConnection) {
          metrics.limit('topics_per_connection')
          return void this.#error(frame.rid, RelayErrorCode.TooManyTopics)
        }
        for (const k of fresh) this.topics.push(k)
        const results = fresh.map((k) => broker.subscribe(k, this, now))
        return this.#then(results.some(isPromise) ? Promise.all(results) : undefined, () =>
          this.#send(okFrame(frame.rid)),
        )
      }
      case Op.Unsubscribe: {
        const results: unknown[] = []
        for (const t of frame.topics) {
          const i = this.topics.indexOf(bytesKey(t))
          if (i < 0) continue
          const [k] = this.topics.splice(i, 1) as [string]
          results.push(broker.unsubscribe(k, this))
        }
        return this.#then(results.some(isPromise) ? Promise.all(results) : undefined, () =>
          this.#send(okFrame(frame.rid)),
        )
      }
      case Op.Ack: {
        // Runs per delivered message: plain loops, and no closure unless the broker is async.
        const { acks, rid } = frame
        const topics: string[] = []
        for (const a of acks) {
          const t = bytesKey(a.topic)
          if (!this.topics.includes(t)) return void this.#error(rid, RelayErrorCode.NotSubscribed)
          topics.push(t)
        }
        let pending: unknown[] | null = null
        for (let i = 0; i < acks.length; i++) {
          const r = broker.ack(topics[i]!, bytesKey(acks[i]!.id))
          if (!isPromise(r)) continue
          pending ??= []
          pending.push(r)
        }
        if (!pending) return void this.#send(okFrame(rid))
        return this.#then(Promise.all(pending), () => this.#send(okFrame(rid)))
      }
      case Op.Ping:
        return void this.#send(okFrame(frame.rid))
    }
  }

  #published(rid: number, size: number, r: PublishResult): void {
    const metrics = this.#ctx.metrics
    if (r.ok) {
      if (!r.duplicate) {
        metrics.messagesIn++
        metrics.bytesIn += size
      }
      this.#send(okFrame(rid))
    } else if (r.code === RelayErrorCode.StorageUnavailable) {
      metrics.drop('storage_unavailable')
      this.#error(rid, r.code)
    } else {
      metrics.limit(r.code === RelayErrorCode.TopicMailboxFull ? 'topic_mailbox' : 'relay_mailbox')
      metrics.drop('mailbox_full')
      this.#error(rid, r.code)
    }
  }

  /** Runs `fn` now for sync results, or after the promise; broker failures become an error log. */
  #then<T>(value: T | Promise<T>, fn: (v: T) => void): Promise<void> | undefined {
    if (!isPromise(value)) {
      fn(value as T)
      return undefined
    }
    return (value as Promise<T>).then(fn, (err) => {
      this.#ctx.logger('error', 'broker operation failed', { error: String((err as Error)?.name) })
    })
  }

  /** Called once when the socket closes: releases every subscription. */
  release(): void {
    if (this.#closed) return
    this.#closed = true
    for (const k of this.topics) {
      const r = this.#ctx.broker.unsubscribe(k, this)
      if (isPromise(r)) (r as Promise<void>).catch(() => {})
    }
    this.topics.length = 0
  }
}

function isPromise(v: unknown): boolean {
  return typeof (v as { then?: unknown } | null)?.then === 'function'
}
