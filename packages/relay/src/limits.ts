import { RelayError, RelayFailure } from './errors.js'

/**
 * Every hard limit of the relay, with its default (docs/PROTOCOL.md §13.5 has the same table, with
 * the reasoning behind the numbers). Each can be set through `createRelay({ limits })`, a CLI flag
 * or an environment variable.
 */
export type RelayLimits = {
  /** Largest WebSocket message accepted; larger ones close the connection with 1009. */
  maxFrameBytes: number
  /** Topics one connection may be subscribed to at once (a wallet holds all its sessions on one). */
  maxTopicsPerConnection: number
  /** Subscriptions of all connections from one client address (an IPv6 prefix counts as one). */
  maxTopicsPerIp: number
  /** Subscriptions in the whole relay. */
  maxSubscriptions: number
  /** Stored messages per topic. */
  maxMessagesPerTopic: number
  /** Stored payload bytes per topic. */
  maxBytesPerTopic: number
  /** Stored messages in the whole relay. */
  maxTotalMessages: number
  /** Stored payload bytes in the whole relay. */
  maxTotalBytes: number
  /** Stored messages published by one connection (still stored, whether or not it is open). */
  maxStoredMessagesPerConnection: number
  /** Stored payload bytes published by one connection. */
  maxStoredBytesPerConnection: number
  /** Stored messages published from one client address (an IPv6 prefix counts as one address). */
  maxStoredMessagesPerIp: number
  /** Stored payload bytes published from one client address. */
  maxStoredBytesPerIp: number
  /** Longest TTL a publisher may ask for, in seconds (topics with a subscriber). */
  maxTtlSeconds: number
  /** TTL cap for a message published to a topic nobody is subscribed to (longer asks are shortened). */
  maxUnsubscribedTtlSeconds: number
  /** Publish token bucket per connection: sustained rate (messages/second) and burst. */
  publishRate: number
  publishBurst: number
  /** Token bucket for all frames of one connection, spent before a frame is decoded. */
  frameRate: number
  frameBurst: number
  /** Bad frames (malformed, text, over the frame rate) per connection; past the burst: close 1008. */
  badFrameRate: number
  badFrameBurst: number
  /** Concurrent connections from one IP address, pending upgrades included. */
  maxConnectionsPerIp: number
  /** Concurrent WebSocket connections in all. */
  maxConnections: number
  /** TCP connections not yet upgraded to WebSocket, in all. */
  maxPendingUpgrades: number
  /** Time from TCP accept to a completed upgrade (PROXY header and TLS included); then dropped. */
  upgradeTimeoutMs: number
  /** IPv6 clients are counted per prefix of this length for every per-IP limit (1–128). */
  ipv6PrefixLength: number
  /** Ping interval; a connection that has not answered the previous ping is terminated. */
  heartbeatIntervalMs: number
  /** A connection whose unsent data exceeds this is closed (1013); its mailbox stays. */
  maxBufferedBytes: number
}

export const DEFAULT_LIMITS: RelayLimits = Object.freeze({
  maxFrameBytes: 64 * 1024,
  // 64 per connection capped a wallet at 64 sessions, fewer while they resume (a session listens on
  // up to 4 topics then, §8); per address and in all the bounds stay what 64 per connection gave:
  // 64 connections x 64 per address, 20,000 x 64 in all (§13.5 "Topics").
  maxTopicsPerConnection: 1024,
  maxTopicsPerIp: 4096,
  maxSubscriptions: 1_280_000,
  maxMessagesPerTopic: 256,
  maxBytesPerTopic: 1024 * 1024,
  maxTotalMessages: 200_000,
  maxTotalBytes: 256 * 1024 * 1024,
  maxStoredMessagesPerConnection: 1024,
  maxStoredBytesPerConnection: 4 * 1024 * 1024,
  maxStoredMessagesPerIp: 4096,
  maxStoredBytesPerIp: 16 * 1024 * 1024,
  maxTtlSeconds: 7 * 24 * 3600,
  maxUnsubscribedTtlSeconds: 600,
  publishRate: 50,
  publishBurst: 200,
  frameRate: 500,
  frameBurst: 1000,
  badFrameRate: 1,
  badFrameBurst: 20,
  maxConnectionsPerIp: 64,
  maxConnections: 20_000,
  maxPendingUpgrades: 4096,
  upgradeTimeoutMs: 5000,
  ipv6PrefixLength: 64,
  heartbeatIntervalMs: 30_000,
  maxBufferedBytes: 4 * 1024 * 1024,
})

/** Environment variable for each limit: PAIRLINE_RELAY_MAX_FRAME_BYTES, ... */
export function limitEnvName(key: keyof RelayLimits): string {
  return `PAIRLINE_RELAY_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`
}

/** CLI flag for each limit: --max-frame-bytes, ... */
export function limitFlagName(key: keyof RelayLimits): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
}

/** The defaults with `partial` on top; RELAY_INVALID_LIMIT for an unknown name or a bad value. */
export function resolveLimits(partial: Partial<RelayLimits> = {}): RelayLimits {
  for (const key of Object.keys(partial)) {
    if (!Object.hasOwn(DEFAULT_LIMITS, key)) {
      throw new RelayError(RelayFailure.InvalidLimit, `There is no relay limit called ${key}.`)
    }
  }
  const limits = { ...DEFAULT_LIMITS, ...partial }
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || !Number.isInteger(value)) {
      throw new RelayError(
        RelayFailure.InvalidLimit,
        `Relay limit ${key} must be a positive integer (got ${String(value)}).`,
      )
    }
  }
  if (limits.ipv6PrefixLength > 128) {
    throw new RelayError(
      RelayFailure.InvalidLimit,
      `Relay limit ipv6PrefixLength must be at most 128 (got ${limits.ipv6PrefixLength}).`,
    )
  }
  return limits
}
