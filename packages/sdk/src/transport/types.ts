import type { PairlineError } from '../errors/base.js'
import type { Topic } from '../protocol/topics.js'
import type { Timers } from '../util/timers.js'

/**
 * The part of a WebSocket the relay client uses. The browser's `WebSocket` and `ws`'s both fit, so
 * either can be injected (Node 20 has no global WebSocket; `isows` picks `ws` there).
 */
export interface WebSocketLike {
  binaryType: string
  readonly readyState: number
  /** The subprotocol the relay chose (the browser's and ws's have it); absent or '' means none. */
  readonly protocol?: string
  send(data: Uint8Array): void
  close(code?: number, reason?: string): void
  addEventListener(type: 'open' | 'error', listener: (event: unknown) => void): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void
}

/**
 * `protocols` is what the client offers the relay (reply mode 2, PROTOCOL.md §13.3.1); a class that
 * ignores it still works, in reply mode 1.
 */
export type WebSocketConstructor = new (url: string, protocols?: string[]) => WebSocketLike

export type ReconnectOptions = {
  /** First delay after a connection is lost, in ms. Default 250. */
  initialDelayMs?: number | undefined
  /** Largest delay, in ms. Default 10_000. */
  maxDelayMs?: number | undefined
  /** Growth per failed attempt. Default 2. */
  factor?: number | undefined
  /** Fraction of each delay that is random: 0 none, 1 full jitter. Default 0.5. */
  jitter?: number | undefined
}

export type RelayClientOptions = {
  /** wss://, or ws:// on this machine (localhost, 127.0.0.0/8, ::1) unless `allowInsecureRelay` */
  url: string
  /** Accept a ws:// relay elsewhere (a private network you trust): RELAY_INSECURE otherwise. */
  allowInsecureRelay?: boolean | undefined
  /** Default: `WebSocket` from `isows` (the browser's own, `ws` on Node). */
  WebSocket?: WebSocketConstructor | undefined
  reconnect?: ReconnectOptions | undefined
  /** A request without OK or ERROR within this time fails with REQUEST_TIMEOUT. Default 10_000. */
  requestTimeoutMs?: number | undefined
  /** App-level PING period (browsers cannot send WebSocket pings). Default 20_000. */
  pingIntervalMs?: number | undefined
  /** For backoff jitter only, not a secret. Default Math.random. */
  random?: (() => number) | undefined
  /** For message ids. Default crypto.getRandomValues. */
  randomBytes?: ((length: number) => Uint8Array) | undefined
  /** Where an ack waits for the next request (at most 50 ms). Default: setTimeout, never holding the process. */
  timers?: Timers | undefined
}

export type RelayMessage = {
  topic: Topic
  /** 16 bytes chosen by the publisher; pass it to `ack`. */
  id: Uint8Array
  payload: Uint8Array
}

export type RelayClientStatus = 'connecting' | 'open' | 'reconnecting' | 'closed'

export type PublishOptions = {
  /** How long the relay keeps the message, in seconds. Default 86_400. */
  ttlSeconds?: number | undefined
  /** 16 bytes; default 16 random bytes. The relay stores a (topic, id) once. */
  id?: Uint8Array | undefined
}

export type ReconnectingEvent = {
  /** 1 for the first attempt after a loss, counting up while attempts fail. */
  attempt: number
  /** Wait before this attempt. */
  delayMs: number
  /** Why the connection was lost: RELAY_UNAVAILABLE (closed, refused, restarting) or REQUEST_TIMEOUT. */
  reason: PairlineError
}

export type RelayClientEvents = {
  /** A message for a topic this client is subscribed to. */
  message: (message: RelayMessage) => void
  /** A connection is open (the first and every later one), remembered topics re-subscribed. */
  open: () => void
  /** The connection was lost; the next attempt starts after `delayMs`. */
  reconnecting: (event: ReconnectingEvent) => void
  /** `close()` finished: no more events. */
  close: () => void
  /** Something went wrong that no caller was waiting for (a malformed frame, a refused ack, ...). */
  error: (error: PairlineError) => void
}

export type RelayClientEventName = keyof RelayClientEvents

export type RelayClient = {
  readonly status: RelayClientStatus
  /** Remembered: subscribed again after every reconnect. Resolves on the relay's OK. */
  subscribe(topics: readonly Topic[]): Promise<void>
  unsubscribe(topics: readonly Topic[]): Promise<void>
  /**
   * Resolves with the message id on the relay's OK. Waits while disconnected and is re-sent with the
   * same id until answered; rejects with RELAY_REJECTED (details: the relay's error name),
   * REQUEST_TIMEOUT or SESSION_CLOSED.
   */
  publish(topic: Topic, payload: Uint8Array, options?: PublishOptions): Promise<Uint8Array>
  /**
   * Hands every message of `topic` to `fn` (one listener per topic; INVALID_ARGUMENT for a second).
   * Returns the function that removes the route. 'message' events still see every message.
   */
  route(topic: Topic, fn: (message: RelayMessage) => void): () => void
  /**
   * Batched and fire-and-forget: sent with the next request (in the same socket write where the
   * socket can be corked) or after at most 50 ms; dropped while disconnected (the relay delivers
   * again).
   */
  ack(topic: Topic, id: Uint8Array): void
  on<E extends RelayClientEventName>(event: E, fn: RelayClientEvents[E]): RelayClient
  once<E extends RelayClientEventName>(event: E, fn: RelayClientEvents[E]): RelayClient
  off<E extends RelayClientEventName>(event: E, fn?: RelayClientEvents[E]): RelayClient
  /** Stops reconnecting, rejects pending work with SESSION_CLOSED and closes the socket. */
  close(): Promise<void>
}
