/**
 * Every hard limit of the relay, with its default (docs/PROTOCOL.md §13.4 has the same table).
 * Each can be set through `createRelay({ limits })`, a CLI flag or an environment variable.
 */
export type RelayLimits = {
  /** Largest WebSocket message accepted; larger ones close the connection with 1009. */
  maxFrameBytes: number
  /** Topics one connection may be subscribed to at once. */
  maxTopicsPerConnection: number
  /** Stored messages per topic. */
  maxMessagesPerTopic: number
  /** Stored payload bytes per topic. */
  maxBytesPerTopic: number
  /** Stored messages in the whole relay. */
  maxTotalMessages: number
  /** Stored payload bytes in the whole relay. */
  maxTotalBytes: number
  /** Longest TTL a publisher may ask for, in seconds. */
  maxTtlSeconds: number
  /** Publish token bucket per connection: sustained rate (messages/second) and burst. */
  publishRate: number
  publishBurst: number
  /** Token bucket for all frames of one connection (subscribe, ack, ping, publish). */
  frameRate: number
  frameBurst: number
  /** Concurrent connections from one IP address. */
  maxConnectionsPerIp: number
  /** Concurrent connections in all. */
  maxConnections: number
  /** Ping interval; a connection that has not answered the previous ping is terminated. */
  heartbeatIntervalMs: number
  /** A connection whose unsent data exceeds this is closed (1013); its mailbox stays. */
  maxBufferedBytes: number
}

export const DEFAULT_LIMITS: RelayLimits = {
  maxFrameBytes: 64 * 1024,
  maxTopicsPerConnection: 64,
  maxMessagesPerTopic: 256,
  maxBytesPerTopic: 1024 * 1024,
  maxTotalMessages: 200_000,
  maxTotalBytes: 256 * 1024 * 1024,
  maxTtlSeconds: 7 * 24 * 3600,
  publishRate: 50,
  publishBurst: 200,
  frameRate: 500,
  frameBurst: 1000,
  maxConnectionsPerIp: 64,
  maxConnections: 20_000,
  heartbeatIntervalMs: 30_000,
  maxBufferedBytes: 4 * 1024 * 1024,
}

/** Environment variable for each limit: PAIRLINE_RELAY_MAX_FRAME_BYTES, ... */
export function limitEnvName(key: keyof RelayLimits): string {
  return `PAIRLINE_RELAY_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`
}

/** CLI flag for each limit: --max-frame-bytes, ... */
export function limitFlagName(key: keyof RelayLimits): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
}

export function resolveLimits(partial: Partial<RelayLimits> = {}): RelayLimits {
  const limits = { ...DEFAULT_LIMITS, ...partial }
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || !Number.isInteger(value)) {
      throw new RangeError(`Relay limit ${key} must be a positive integer (got ${String(value)}).`)
    }
  }
  return limits
}
