import {
  answeredBy,
  decodeRelayFrame,
  RELAY_PROTOCOL_V2,
  RelayCloseCode,
  RelayErrorCode,
  type RelayFrame,
  Reply,
} from '@pairline/wire'
import type { PairlineError } from '../errors/base.js'
import { frameMalformed, relayErrorName, relayRejected, relayUnavailable, requestTimeout } from './errors.js'
import { pingRequest, type Request } from './request.js'
import { socketBytes } from './socketData.js'
import type { WebSocketConstructor, WebSocketLike } from './types.js'

/** A connection open this long counts as healthy, like one that got an OK: the backoff starts over. */
export const STABLE_AFTER_MS = 5_000

const MAX_RID = 0xffff_ffff
const CLOSING = 2

export type ConnectionConfig = {
  url: string
  WebSocket: WebSocketConstructor
  requestTimeoutMs: number
  pingIntervalMs: number
}

export type ConnectionHandlers = {
  open(): void
  message(topic: Uint8Array, id: Uint8Array, payload: Uint8Array): void
  /** The connection got its first OK or stayed open STABLE_AFTER_MS. */
  stable(): void
  /** A problem no request is waiting for: a malformed frame, an ERROR for no pending request. */
  error(error: PairlineError): void
  /**
   * The connection is gone (not by `close()`); called once. `retry` holds the unanswered requests to
   * send again, in the order they were sent.
   */
  lost(reason: PairlineError, closeCode: number | undefined, retry: Request[]): void
}

/** Node's `ws` socket exposes its net.Socket: corked, the frames sent meanwhile leave in one write. */
type Corkable = { _socket?: { cork?: () => void; uncork?: () => void } }

/** `timer` is undefined for a request no reply is awaited for (an ACK in reply mode 2). */
type InFlight = { request: Request; timer: ReturnType<typeof setTimeout> | undefined; size: number }

function settleOk(e: InFlight): void {
  clearTimeout(e.timer)
  e.request.ok()
}

/** MAILBOX_LOST (rid 0) and STORAGE_UNAVAILABLE (any rid) mean: leave, reconnect, send again. */
function leaveFor(code: number, rid: number): boolean {
  return (code === RelayErrorCode.MailboxLost && rid === 0) || code === RelayErrorCode.StorageUnavailable
}

function closeDetails(code: unknown, reason: unknown): string {
  const why = typeof reason === 'string' && reason !== '' ? `: ${reason}` : ''
  return `socket closed (code ${String(code)}${why})`
}

function errorDetails(event: unknown): string {
  const message = (event as { message?: unknown } | null)?.message
  return typeof message === 'string' && message !== '' ? `socket error: ${message}` : 'socket error'
}

/**
 * One WebSocket to the relay: its request ids, the requests awaiting OK or ERROR and their timeouts,
 * the PING heartbeat and frame decoding. It offers reply mode 2 (PROTOCOL.md §13.3.1) and uses it
 * when the relay names it: then an OK settles every request sent up to its rid, in send order (the
 * Map's), and an ACK is sent without a timer: it gets a reply only when refused. It never reconnects and never throws into the socket's
 * callbacks; the relay client above decides what happens next.
 */
export class Connection {
  /** Resolves once the socket has closed (or could not be created). */
  readonly closed: Promise<void>
  readonly #config: ConnectionConfig
  readonly #handlers: ConnectionHandlers
  readonly #inflight = new Map<number, InFlight>()
  #socket: WebSocketLike | null = null
  #open = false
  #done = false
  #rid = 0
  #pingRid = 0
  /** Reply mode 2 (§13.3.1), known once open from the subprotocol the relay named. */
  #quiet = false
  #stable = false
  #connectTimer: ReturnType<typeof setTimeout> | undefined
  #stableTimer: ReturnType<typeof setTimeout> | undefined
  #pingTimer: ReturnType<typeof setInterval> | undefined
  #markClosed: () => void = () => {}

  constructor(config: ConnectionConfig, handlers: ConnectionHandlers) {
    this.#config = config
    this.#handlers = handlers
    this.closed = new Promise<void>((resolve) => {
      this.#markClosed = resolve
    })
    let socket: WebSocketLike
    try {
      socket = new config.WebSocket(config.url, [RELAY_PROTOCOL_V2])
      socket.binaryType = 'arraybuffer'
      // Listeners stay attached for the socket's life: events after #done are ignored, and ws needs
      // an 'error' listener until the very end.
      socket.addEventListener('open', () => this.#onOpen())
      socket.addEventListener('message', (event) => this.#onData(event.data))
      socket.addEventListener('close', (event) => {
        this.#markClosed()
        this.#lose(relayUnavailable(closeDetails(event.code, event.reason)), event.code)
      })
      socket.addEventListener('error', (event) =>
        this.#lose(relayUnavailable(errorDetails(event)), undefined),
      )
    } catch (err) {
      this.#markClosed()
      const details = `could not open a socket: ${err instanceof Error ? err.message : String(err)}`
      // Not synchronously: the caller has not stored this connection yet.
      queueMicrotask(() => this.#lose(relayUnavailable(details), undefined))
      return
    }
    this.#socket = socket
    this.#connectTimer = setTimeout(
      () => this.#lose(relayUnavailable(`not open within ${config.requestTimeoutMs} ms`), undefined),
      config.requestTimeoutMs,
    )
  }

  get isOpen(): boolean {
    return this.#open
  }

  /** Sends `request` with a fresh rid; false (nothing sent) unless open. */
  send(request: Request): boolean {
    const socket = this.#socket
    if (!this.#open || socket === null) return false
    const rid = this.#nextRid()
    const frame = request.encode(rid)
    // Mode 2: a successful ACK is never answered, so nothing can time out; a later OK or the
    // connection's end takes it out of #inflight.
    const quiet = this.#quiet && request.name === 'ACK'
    const timer = quiet ? undefined : setTimeout(() => this.#timeout(rid), this.#config.requestTimeoutMs)
    this.#inflight.set(rid, { request, timer, size: frame.length })
    try {
      socket.send(frame)
    } catch (err) {
      const details = `send failed: ${err instanceof Error ? err.message : String(err)}`
      this.#lose(relayUnavailable(details), undefined)
    }
    return true
  }

  /**
   * Runs `fn` with the socket corked where the socket class allows it (Node's `ws`), so the frames
   * it sends reach the relay in one write; a browser's WebSocket cannot be corked (a write each).
   */
  corked<T>(fn: () => T): T {
    const raw = (this.#socket as Corkable | null)?._socket
    raw?.cork?.()
    try {
      return fn()
    } finally {
      raw?.uncork?.()
    }
  }

  /** Closes on request: no `lost` callback. Returns every unanswered request. */
  close(): Request[] {
    if (this.#done) return []
    this.#done = true
    this.#shutdown()
    const all = [...this.#inflight.values()].map((e) => e.request)
    this.#inflight.clear()
    return all
  }

  #nextRid(): number {
    do {
      this.#rid = this.#rid >= MAX_RID ? 1 : this.#rid + 1
    } while (this.#inflight.has(this.#rid))
    return this.#rid
  }

  #onOpen(): void {
    if (this.#done) return
    this.#open = true
    this.#quiet = this.#socket?.protocol === RELAY_PROTOCOL_V2
    clearTimeout(this.#connectTimer)
    this.#stableTimer = setTimeout(() => this.#markStable(), STABLE_AFTER_MS)
    this.#pingTimer = setInterval(() => this.#ping(), this.#config.pingIntervalMs)
    this.#handlers.open()
  }

  #markStable(): void {
    if (this.#stable || this.#done) return
    this.#stable = true
    this.#handlers.stable()
  }

  #ping(): void {
    // One PING at a time: an unanswered one times out and drops the connection by itself.
    if (this.#inflight.has(this.#pingRid)) return
    if (this.send(pingRequest())) this.#pingRid = this.#rid
  }

  #timeout(rid: number): void {
    const entry = this.#inflight.get(rid)
    if (!entry) return
    this.#inflight.delete(rid)
    const error = requestTimeout(entry.request.name, this.#config.requestTimeoutMs)
    entry.request.fail(error)
    // No answer in time: this connection is presumed dead (half-open, stalled relay).
    this.#lose(error, undefined)
  }

  #onData(data: unknown): void {
    if (this.#done) return
    const bytes = socketBytes(data)
    if (bytes === 'text') {
      this.#handlers.error(frameMalformed('the relay sent a text message'))
    } else if (bytes === null) {
      this.#handlers.error(frameMalformed('the relay sent a message that is not bytes'))
    } else {
      const frame = decodeRelayFrame(bytes)
      if (frame === null) {
        this.#handlers.error(frameMalformed(`the relay sent an undecodable ${bytes.length}-byte frame`))
      } else {
        this.#onFrame(frame)
      }
    }
  }

  #onFrame(frame: RelayFrame): void {
    if (frame.type === Reply.Message) {
      this.#handlers.message(frame.topic, frame.id, frame.payload)
      return
    }
    if (frame.type === Reply.Error && frame.rid === 0 && frame.code === RelayErrorCode.ShuttingDown) {
      // A restart is coming (then close 1012): leave now, unanswered requests go to the next relay.
      this.#lose(relayUnavailable('the relay is shutting down'), undefined)
      return
    }
    if (frame.type === Reply.Error && leaveFor(frame.code, frame.rid)) {
      // The relay's shared storage failed or lost messages (docs/PROTOCOL.md §13.8): reconnect, send
      // the unanswered requests again, and let the session re-send what the peer has not acked
      // (it does on every `open`). STORAGE_UNAVAILABLE answers a request: that one is retried too.
      // Lost: back at once. Unavailable: back off as for 1013, the relay is waiting for its storage.
      if (frame.code === RelayErrorCode.MailboxLost) {
        this.#lose(relayUnavailable('the relay lost stored messages'), undefined)
      } else {
        this.#lose(relayUnavailable("the relay's storage is unavailable"), RelayCloseCode.TryAgainLater)
      }
      return
    }
    if (frame.type === Reply.Ok) {
      // Cumulative (§13.3.1): in mode 2 an OK may answer several requests; in mode 1 it answers
      // its own, the first pending one, since replies come in request order. One rule for both.
      if (answeredBy(this.#inflight, frame.rid, settleOk) > 0) this.#markStable()
      return
    }
    const entry = this.#inflight.get(frame.rid)
    if (entry === undefined) {
      // An ERROR for no pending request means something of ours was refused all the same.
      this.#handlers.error(
        relayRejected(`${relayErrorName(frame.code)} (rid ${frame.rid}, no pending request)`),
      )
      return
    }
    this.#inflight.delete(frame.rid)
    clearTimeout(entry.timer)
    entry.request.fail(relayRejected(relayErrorName(frame.code)))
  }

  #shutdown(): void {
    this.#open = false
    clearTimeout(this.#connectTimer)
    clearTimeout(this.#stableTimer)
    clearInterval(this.#pingTimer)
    for (const e of this.#inflight.values()) clearTimeout(e.timer)
    const socket = this.#socket
    if (socket === null) return
    try {
      if (socket.readyState < CLOSING) socket.close(1000)
      else if (socket.readyState > CLOSING) this.#markClosed()
    } catch {
      this.#markClosed()
    }
  }

  #lose(reason: PairlineError, closeCode: number | undefined): void {
    if (this.#done) return
    this.#done = true
    this.#shutdown()
    const entries = [...this.#inflight.values()]
    this.#inflight.clear()
    if (closeCode === RelayCloseCode.MessageTooBig) {
      // The relay cut us off for a frame over its size limit: sending it again would loop. The
      // close names no request; the largest unanswered one is the culprit.
      const biggest = entries.reduce<InFlight | null>((a, e) => (a === null || e.size > a.size ? e : a), null)
      if (biggest !== null) {
        entries.splice(entries.indexOf(biggest), 1)
        biggest.request.fail(relayRejected('FRAME_TOO_LARGE'))
      }
    }
    const retry = entries.filter((e) => e.request.retry).map((e) => e.request)
    this.#handlers.lost(reason, closeCode, retry)
  }
}
