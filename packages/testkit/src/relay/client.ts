/**
 * A small promise-based relay client for the relay's tests: real `ws` sockets and the
 * `@pairline/wire` codec, nothing mocked.
 */
import { randomBytes } from 'node:crypto'
import {
  decodeRelayFrame,
  encodeAck,
  encodePing,
  encodePublish,
  encodeSubscribe,
  encodeUnsubscribe,
  type RelayErrorCode,
  RelayErrorName,
  Reply,
} from '@pairline/wire'
import { type ClientOptions, WebSocket } from 'ws'

export const randomTopic = (): Uint8Array => new Uint8Array(randomBytes(32))
export const randomId = (): Uint8Array => new Uint8Array(randomBytes(16))
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** What a request got back: 'OK' or the error's name, e.g. 'TOPIC_MAILBOX_FULL'. */
export type Outcome = string

export type Message = { topic: Uint8Array; id: Uint8Array; payload: Uint8Array }
export type ErrorReply = { rid: number; code: number; name: string; message: string }
/** A reply no request of this client was waiting for (after `raw`, or rid 0). */
export type Unsolicited = { type: 'OK'; rid: number } | ({ type: 'ERROR' } & ErrorReply)
export type Closed = { code: number; reason: string }

/**
 * A FIFO whose `next` waits for the next item, or for the end (the socket closed). No timeouts: a
 * wait that never ends fails the test at vitest's own timeout, never early on a busy machine.
 */
class Queue<T> {
  readonly #items: T[] = []
  readonly #waiters: { resolve: (v: T) => void; reject: (e: Error) => void }[] = []
  #ended: string | null = null

  get size(): number {
    return this.#items.length
  }

  push(item: T): void {
    const w = this.#waiters.shift()
    if (w) w.resolve(item)
    else this.#items.push(item)
  }

  end(why: string): void {
    this.#ended = why
    for (const w of this.#waiters.splice(0)) w.reject(new Error(why))
  }

  next(what: string): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift() as T)
    if (this.#ended !== null) return Promise.reject(new Error(`no ${what}: ${this.#ended}`))
    return new Promise<T>((resolve, reject) => {
      this.#waiters.push({ resolve, reject: (e: Error) => reject(new Error(`no ${what}: ${e.message}`)) })
    })
  }
}

export class TestClient {
  readonly ws: WebSocket
  /** Resolves with the close code and reason once the socket is closed, however that happened. */
  readonly closed: Promise<Closed>
  /** Frames from the relay that did not decode: must stay empty. */
  readonly badFrames: Uint8Array[] = []
  readonly #messages = new Queue<Message>()
  readonly #unsolicited = new Queue<Unsolicited>()
  readonly #pending = new Map<number, (o: Outcome) => void>()
  #rid = 1

  private constructor(ws: WebSocket) {
    this.ws = ws
    this.closed = new Promise<Closed>((resolve) => {
      ws.on('close', (code, reason) => {
        const why = `socket closed (${code})`
        this.#messages.end(why)
        this.#unsolicited.end(why)
        resolve({ code, reason: reason.toString() })
      })
    })
    ws.on('message', (data: Buffer, isBinary: boolean) => this.#onFrame(new Uint8Array(data), isBinary))
    // A relay that closes abruptly must not crash the test process; `closed` reports it.
    ws.on('error', () => {})
  }

  /** Opens a socket and resolves once it is open. */
  static connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, options)
    const client = new TestClient(ws)
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        ws.off('error', reject)
        resolve(client)
      })
      ws.once('error', reject)
    })
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN
  }

  /** Number of MESSAGE frames received and not yet taken. */
  get queued(): number {
    return this.#messages.size
  }

  #onFrame(b: Uint8Array, isBinary: boolean): void {
    const f = isBinary ? decodeRelayFrame(b) : null
    if (!f) {
      this.badFrames.push(b)
      return
    }
    if (f.type === Reply.Message) {
      this.#messages.push({ topic: f.topic, id: f.id, payload: f.payload })
      return
    }
    const outcome: Outcome =
      f.type === Reply.Ok ? 'OK' : (RelayErrorName[f.code as RelayErrorCode] ?? `CODE_${f.code}`)
    const waiting = this.#pending.get(f.rid)
    if (waiting && f.rid !== 0) {
      this.#pending.delete(f.rid)
      waiting(outcome)
    } else if (f.type === Reply.Ok) {
      this.#unsolicited.push({ type: 'OK', rid: f.rid })
    } else {
      this.#unsolicited.push({ type: 'ERROR', rid: f.rid, code: f.code, name: outcome, message: f.message })
    }
  }

  #request(build: (rid: number) => Uint8Array): Promise<Outcome> {
    const rid = this.#rid++
    return new Promise<Outcome>((resolve, reject) => {
      this.closed.then(({ code }) => {
        if (this.#pending.delete(rid))
          reject(new Error(`socket closed (${code}) before the reply to rid ${rid}`))
      })
      this.#pending.set(rid, resolve)
      this.ws.send(build(rid))
    })
  }

  subscribe(topics: readonly Uint8Array[]): Promise<Outcome> {
    return this.#request((rid) => encodeSubscribe(rid, topics))
  }

  unsubscribe(topics: readonly Uint8Array[]): Promise<Outcome> {
    return this.#request((rid) => encodeUnsubscribe(rid, topics))
  }

  publish(topic: Uint8Array, id: Uint8Array, ttl: number, payload: Uint8Array): Promise<Outcome> {
    return this.#request((rid) => encodePublish(rid, topic, id, ttl, payload))
  }

  ack(acks: readonly { topic: Uint8Array; id: Uint8Array }[]): Promise<Outcome> {
    return this.#request((rid) => encodeAck(rid, acks))
  }

  ping(): Promise<Outcome> {
    return this.#request(encodePing)
  }

  /** Sends anything: bytes as a binary message, a string as a text message. */
  raw(frame: Uint8Array | string): void {
    this.ws.send(frame, { binary: typeof frame !== 'string' })
  }

  nextMessage(): Promise<Message> {
    return this.#messages.next('MESSAGE')
  }

  /** The next OK or ERROR that no request was waiting for. */
  nextReply(): Promise<Unsolicited> {
    return this.#unsolicited.next('reply')
  }

  /** The next unsolicited reply, which must be an ERROR. */
  async nextError(): Promise<ErrorReply> {
    const r = await this.nextReply()
    if (r.type !== 'ERROR') throw new Error(`expected an ERROR, got OK for rid ${r.rid}`)
    const { type: _, ...error } = r
    return error
  }

  /**
   * Asserts that no MESSAGE is queued after a PING round trip. The relay handles one connection's
   * frames in order and fans out synchronously, so whatever a publish that was already answered
   * would deliver here is on the wire before this PING's OK: an event, not a sleep.
   */
  async expectNoMessage(): Promise<void> {
    const pong = await this.ping()
    if (pong !== 'OK') throw new Error(`PING answered ${pong}`)
    if (this.#messages.size > 0) {
      const m = await this.#messages.next('MESSAGE')
      throw new Error(`unexpected MESSAGE on topic ${hex(m.topic).slice(0, 16)}…, id ${hex(m.id)}`)
    }
  }

  /** Closes (1000) and resolves once closed. */
  async close(): Promise<Closed> {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close()
    return this.closed
  }
}
