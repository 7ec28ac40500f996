import type { RelayErrorCode } from '@pairline/wire'

/**
 * A stored message. `frame` is the ready-to-send MESSAGE frame (topic ‖ id ‖ payload), built once
 * at publish time so fan-out and redelivery never re-encode. Create them with `new Message(...)`
 * (below), not as object literals.
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

/**
 * The StoredMessage the relay creates, a class rather than an object literal because of V8's
 * allocation-site pretenuring. V8 tracks where each object literal is allocated; when most objects
 * from one site survive a scavenge (as messages do while a mailbox fills, e.g. under full load) it
 * allocates all later ones from that site straight into the old generation, and never reverts.
 * A message acked a millisecond later is then dead but old, and until the next full GC its slots
 * still pin its young frame, ArrayBuffer and key strings (old-to-new remembered set): every
 * scavenge promoted them. Measured at 5,000 msg/s (bench, --trace-gc-nvp, after the full-load
 * phase): a literal promoted ~250 B/msg into the old generation and the relay ran ~2 full GCs per
 * 4 s (5–9 ms pauses plus 15–25 ms of marking); the class promotes ~15–35 B/msg and no full GC
 * happens in that window (the bare-ws floor: ~3 B/msg). `new` of a class has no allocation site,
 * so V8 never pretenures it.
 */
export class Message implements StoredMessage {
  readonly topicKey: string
  readonly idKey: string
  readonly frame: Uint8Array
  readonly size: number
  readonly expiresAt: number

  constructor(topicKey: string, idKey: string, frame: Uint8Array, size: number, expiresAt: number) {
    this.topicKey = topicKey
    this.idKey = idKey
    this.frame = frame
    this.size = size
    this.expiresAt = expiresAt
  }
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
