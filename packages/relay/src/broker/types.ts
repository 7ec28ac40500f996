import type { RelayErrorCode } from '@pairline/wire'

/**
 * A stored message. `frame` is the ready-to-send MESSAGE frame (topic ‖ id ‖ payload), built once
 * at publish time so fan-out and redelivery never re-encode.
 */
export type StoredMessage = {
  topicKey: string
  idKey: string
  frame: Uint8Array
  /** payload bytes counted against the mailbox limits */
  size: number
  /** unix ms */
  expiresAt: number
}

/** A local connection subscribed to topics. */
export interface Subscriber {
  deliver(message: StoredMessage): void
}

export type PublishResult = { ok: true; duplicate: boolean } | { ok: false; code: RelayErrorCode }

export type BrokerStats = {
  topics: number
  mailboxMessages: number
  mailboxBytes: number
  expired: number
}

/**
 * The seam between sockets and storage. The in-memory broker answers synchronously; a
 * distributed one (several relay nodes on Redis) may return promises. The socket layer awaits
 * either way and never reads payloads.
 */
export interface Broker {
  /** Stores the message until acked or expired and delivers it to current subscribers. */
  publish(message: StoredMessage): PublishResult | Promise<PublishResult>
  /** Adds a subscriber and delivers every stored, unexpired (at `nowMs`) message of the topic to it. */
  subscribe(topicKey: string, subscriber: Subscriber, nowMs: number): void | Promise<void>
  unsubscribe(topicKey: string, subscriber: Subscriber): void | Promise<void>
  /** Removes a stored message (first ack wins); unknown ids are ignored. */
  ack(topicKey: string, idKey: string): void | Promise<void>
  /** Drops expired messages; called by the relay once a second with the current time. */
  sweep(nowMs: number): void | Promise<void>
  stats(): BrokerStats
  close(): Promise<void>
}
