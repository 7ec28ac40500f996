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
  /** unix ms; the broker may shorten it (the TTL cap of topics nobody is subscribed to) */
  expiresAt: number
  /** unix ms, when the relay accepted it: eviction takes the oldest first */
  publishedAt: number
  /** the publisher's per-IP limit key (its address, or its IPv6 prefix): never logged */
  source: string
  /** the publishing connection, unique within one relay process */
  publisher: number
}

/**
 * The StoredMessage the relay creates: a class, not an object literal, because of V8's
 * allocation-site pretenuring. V8 tracks where object literals are allocated, and once most objects
 * from one site survive a scavenge (as messages do under full load, waiting for their acks) it
 * allocates the later ones from that site straight into the old generation, and keeps doing so.
 * A message acked a millisecond later is then dead but old, and until the next full GC its fields
 * still pin its young frame and key strings (old-to-new remembered set): every scavenge promoted
 * those. Measured with bench/run.ts and --trace-gc-nvp at 5,000 msg/s, after the full-load phase:
 * with a literal the relay promoted ~200–250 B/msg and ran 2 full GCs per 4 s (5–9 ms pauses after
 * 12–25 ms of marking), just before most of its slowest 1% of messages; with this class nothing
 * per message is promoted once the full-load phase's survivors are, and no full GC ran in those
 * 4 s (12 runs of 12). `new` of a class has no allocation site, so V8 never pretenures it.
 */
export class Message implements StoredMessage {
  readonly topicKey: string
  readonly idKey: string
  /** replaced when the broker moves it (MemoryBroker compacts its frame slabs) */
  frame: Uint8Array
  readonly size: number
  expiresAt: number
  readonly publishedAt: number
  readonly source: string
  readonly publisher: number
  /**
   * Bookkeeping of the broker that stores it, not part of StoredMessage: links in two lists that
   * need no hash table, so that storing and acking a message is pointer work (issue 16). The
   * messages of one source, oldest first (Quotas, for eviction), and those due in one second
   * (MemoryBroker, for expiry), with that second's list. Null while not in a list.
   */
  olderOfSource: Message | null
  newerOfSource: Message | null
  prevDue: Message | null
  nextDue: Message | null
  due: DueList | null

  constructor(
    topicKey: string,
    idKey: string,
    frame: Uint8Array,
    size: number,
    expiresAt: number,
    publishedAt: number,
    source: string,
    publisher: number,
  ) {
    this.topicKey = topicKey
    this.idKey = idKey
    this.frame = frame
    this.size = size
    this.expiresAt = expiresAt
    this.publishedAt = publishedAt
    this.source = source
    this.publisher = publisher
    this.olderOfSource = null
    this.newerOfSource = null
    this.prevDue = null
    this.nextDue = null
    this.due = null
  }
}

/** The messages due in one second, linked through Message.prevDue / nextDue (MemoryBroker). */
export type DueList = { readonly second: number; first: Message | null }

/** A local connection subscribed to topics. */
export interface Subscriber {
  deliver(message: StoredMessage): void
}

/**
 * `ok`: delivered to the current subscribers, and stored unless `notStored` says why not (a message
 * for an online subscriber is delivered whatever the mailbox holds). Not `ok`: neither.
 */
export type PublishResult =
  | { ok: true; duplicate: boolean; notStored?: RelayErrorCode }
  | { ok: false; code: RelayErrorCode }

export type BrokerStats = {
  topics: number
  mailboxMessages: number
  mailboxBytes: number
  expired: number
  /** stored messages removed to make room for others (see the eviction order in Broker.publish) */
  evicted: number
}

/** `degraded`: storage cannot be used right now (Redis unreachable); the relay refuses clients. */
export type BrokerHealth = 'ok' | 'degraded'

/** What a broker with remote storage tells the relay (RedisBroker). */
export type BrokerEvents = {
  /** Storage became unusable: the relay closes its clients with STORAGE_UNAVAILABLE. */
  degraded(): void
  /** Storage is usable again. */
  restored(): void
  /** Storage lost stored messages (its epoch changed): the relay sends MAILBOX_LOST to its clients. */
  lost(): void
}

/**
 * The seam between sockets and storage. The in-memory broker answers synchronously; a
 * distributed one (several relay nodes on Redis) may return promises. The socket layer awaits
 * either way and never reads payloads.
 */
export interface Broker {
  /**
   * Optional: `length` bytes for the MESSAGE frame of a message about to be published. The socket
   * layer encodes the frame into them and passes them to publish() as `message.frame`, which from
   * then on owns them: a broker that does not store the message releases them there. MemoryBroker
   * carves these out of shared slabs (slab.ts); without this method every frame is its own array.
   */
  frameBuffer?(length: number): Uint8Array
  /**
   * Delivers the message to the topic's current subscribers, then stores it until acked or expired.
   * The contract every broker keeps (docs/PROTOCOL.md §13.5, "Fair storage"), in this order:
   * 1. a `(topic, id)` already stored is a duplicate: `{ ok: true, duplicate: true }`, not delivered;
   * 2. nobody subscribed to the topic: `expiresAt` is capped at `publishedAt` plus
   *    `maxUnsubscribedTtlSeconds`;
   * 3. delivered to every current subscriber, whatever follows;
   * 4. stored only within the per-topic limits (`TOPIC_MAILBOX_FULL`), the quotas of its
   *    `publisher` (`CONNECTION_QUOTA_EXCEEDED`) and its `source` (`IP_QUOTA_EXCEEDED`), and the
   *    totals; at the totals the broker first drops expired messages, then evicts the oldest
   *    messages (those of topics nobody is subscribed to first) of the source that stores the
   *    most, if that source stores more than this message's own source would with it; else
   *    `RELAY_MAILBOX_FULL`;
   * 5. refused storage after a delivery is `{ ok: true, duplicate: false, notStored: code }`; with
   *    no subscriber it is `{ ok: false, code }`.
   * Quotas count what is stored, whatever happened to the connection since. A distributed broker
   * says in its docs which of these it holds cluster-wide and which per node.
   */
  publish(message: StoredMessage): PublishResult | Promise<PublishResult>
  /** Adds a subscriber and delivers every stored, unexpired (at `nowMs`) message of the topic to it. */
  subscribe(topicKey: string, subscriber: Subscriber, nowMs: number): void | Promise<void>
  unsubscribe(topicKey: string, subscriber: Subscriber): void | Promise<void>
  /** Removes a stored message (first ack wins); unknown ids are ignored. */
  ack(topicKey: string, idKey: string): void | Promise<void>
  /** Drops expired messages; called by the relay once a second with the current time. */
  sweep(nowMs: number): void | Promise<void>
  stats(): BrokerStats
  /** Optional: storage health, for /healthz; a broker without it is always `ok`. */
  health?(): BrokerHealth
  /** Optional: storage events (a broker whose storage can fail or lose data). */
  watch?(events: BrokerEvents): void
  close(): Promise<void>
}
