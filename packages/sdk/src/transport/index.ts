export { type Backoff, backoffDelay, DEFAULT_BACKOFF, resolveBackoff } from './backoff.js'
export { DEFAULT_PING_INTERVAL_MS, DEFAULT_REQUEST_TIMEOUT_MS } from './options.js'
export { createRelayClient, DEFAULT_TTL_SECONDS } from './relayClient.js'
export type {
  PublishOptions,
  ReconnectingEvent,
  ReconnectOptions,
  RelayClient,
  RelayClientEventName,
  RelayClientEvents,
  RelayClientOptions,
  RelayClientStatus,
  RelayMessage,
  WebSocketConstructor,
  WebSocketLike,
} from './types.js'
