/**
 * Relay error codes, carried as u16 in ERROR frames (docs/PROTOCOL.md §13.5). Stable: a code never
 * changes meaning. `RelayErrorName` gives the name used in logs, metrics and the SDK's errors.
 */
export const RelayErrorCode = {
  MalformedFrame: 1,
  NotBinary: 2,
  TooManyTopics: 3,
  TopicMailboxFull: 4,
  RelayMailboxFull: 5,
  TtlOutOfRange: 6,
  RateLimited: 7,
  NotSubscribed: 8,
  ShuttingDown: 9,
  ConnectionQuotaExceeded: 10,
  IpQuotaExceeded: 11,
  /** 16 and up: storage shared by several relay nodes (Redis). */
  StorageUnavailable: 16,
  MailboxLost: 17,
} as const
export type RelayErrorCode = (typeof RelayErrorCode)[keyof typeof RelayErrorCode]

export const RelayErrorName: Record<RelayErrorCode, string> = {
  1: 'MALFORMED_FRAME',
  2: 'NOT_BINARY',
  3: 'TOO_MANY_TOPICS',
  4: 'TOPIC_MAILBOX_FULL',
  5: 'RELAY_MAILBOX_FULL',
  6: 'TTL_OUT_OF_RANGE',
  7: 'RATE_LIMITED',
  8: 'NOT_SUBSCRIBED',
  9: 'SHUTTING_DOWN',
  10: 'CONNECTION_QUOTA_EXCEEDED',
  11: 'IP_QUOTA_EXCEEDED',
  16: 'STORAGE_UNAVAILABLE',
  17: 'MAILBOX_LOST',
}

/** WebSocket close codes the relay uses for connection-level limits. */
export const RelayCloseCode = {
  /** RFC 6455: message too big (over the frame limit) */
  MessageTooBig: 1009,
  /** RFC 6455: policy violation (too many connections from one address, or too many bad frames) */
  PolicyViolation: 1008,
  /** IANA: service restart; clients reconnect with backoff */
  ServiceRestart: 1012,
  /** IANA: try again later (relay at its connection limit) */
  TryAgainLater: 1013,
} as const
