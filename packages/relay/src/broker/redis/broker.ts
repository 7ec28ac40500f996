import { randomBytes } from 'node:crypto'
import { MESSAGE_ID_LEN, RelayErrorCode, TOPIC_LEN } from '@pairline/wire'
import type { Cluster, Redis } from 'ioredis'
import type { MailboxLimits } from '../memory.js'
import {
  type Broker,
  type BrokerEvents,
  type BrokerHealth,
  type BrokerStats,
  Message,
  type PublishResult,
  type StoredMessage,
  type Subscriber,
} from '../types.js'
import type { Commands } from './connect.js'
import { StorageHealth } from './health.js'
import { nodeChannel, topicKeys } from './keys.js'
import { Ledger } from './ledger.js'

export type RedisMailboxLimits = MailboxLimits

const STORED: PublishResult = Object.freeze({ ok: true, duplicate: false })
const DUPLICATE: PublishResult = Object.freeze({ ok: true, duplicate: true })
const RELAY_FULL: PublishResult = Object.freeze({ ok: false, code: RelayErrorCode.RelayMailboxFull })
const UNAVAILABLE: PublishResult = Object.freeze({ ok: false, code: RelayErrorCode.StorageUnavailable })
const ACK_NOTICE = TOPIC_LEN + MESSAGE_ID_LEN

/** The topics this node has local subscribers for, and the shard subscription behind each. */
type Local = { subscribers: Set<Subscriber>; subscribed: Promise<unknown> }

const latin1 = (s: string) => Buffer.from(s, 'latin1')
const asBuffer = (b: Uint8Array) =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)

/**
 * A relay node's broker on Redis (one Redis or a Cluster). Mailboxes live in Redis (scripts.ts);
 * live delivery goes through sharded pub/sub: a node subscribes to a topic's shard channel while it
 * has local subscribers, and every stored message is published on it by the same script that stores
 * it. Per-topic limits, dedup and first-ack-wins hold cluster-wide; the mailbox totals hold per node
 * (ledger.ts), with Redis `maxmemory` as the cluster-wide bound (RELAY_MAILBOX_FULL on OOM).
 */
export class RedisBroker implements Broker {
  readonly nodeId = randomBytes(6).toString('hex')
  readonly #cmd: Commands
  readonly #sub: Redis | Cluster
  readonly #prefix: string
  readonly #limits: RedisMailboxLimits
  readonly #now: () => number
  readonly #local = new Map<string, Local>()
  readonly #ledger: Ledger
  readonly #health: StorageHealth
  readonly #noticeChannel: string
  /** origin node -> acked (topic ‖ id) entries to tell it about, sent once per tick */
  readonly #notices = new Map<string, Buffer[]>()
  readonly #onRelease: (() => void)[] = []
  readonly #unsubscribed = (m: StoredMessage) => !this.#local.has(m.topicKey)
  #evicted = 0

  constructor(
    cmd: Commands,
    sub: Redis | Cluster,
    prefix: string,
    limits: RedisMailboxLimits,
    now: () => number,
  ) {
    this.#cmd = cmd
    this.#sub = sub
    this.#prefix = prefix
    this.#limits = limits
    this.#now = now
    this.#ledger = new Ledger(limits, now())
    this.#health = new StorageHealth(cmd, sub, prefix)
    this.#noticeChannel = nodeChannel(prefix, this.nodeId)
    sub.on('smessageBuffer', (channel: Buffer, data: Buffer) => this.#onMessage(channel, data))
    const fail = () => this.#health.fail()
    for (const c of [cmd, sub]) {
      c.on('close', fail)
      c.on('node error', fail)
      // ioredis reports connection errors here as well as through the failed commands; both are
      // handled (degraded, then a probe), so the event itself only needs a listener.
      c.on('error', fail)
    }
  }

  /** Resolves once Redis answers, the node's notice channel is subscribed and the epoch is known. */
  async start(): Promise<void> {
    await this.#sub.ssubscribe(this.#noticeChannel)
    await this.#health.probe()
    if (this.#health.state !== 'ok') throw new Error('Redis is not ready')
  }

  /** Called after another node told this one that messages it stored were acked (metrics, tests). */
  onRelease(listener: () => void): void {
    this.#onRelease.push(listener)
  }

  health(): BrokerHealth {
    return this.#health.state
  }

  watch(events: BrokerEvents): void {
    this.#health.watch(events)
  }

  async publish(message: StoredMessage): Promise<PublishResult> {
    const l = this.#limits
    // The node's own checks come first (its quotas and totals, evicting for room); the script then
    // delivers whatever they said and stores only if they let it.
    let refusal = this.#ledger.refusal(message)
    if (refusal === null && !this.#fits(message)) refusal = await this.#makeRoom(message)
    const k = topicKeys(this.#prefix, message.topicKey)
    let r: [number, number, number]
    try {
      r = await this.#cmd.plPublish(
        k.q,
        k.m,
        k.s,
        latin1(message.idKey),
        this.nodeId,
        asBuffer(message.frame),
        this.#now(),
        l.maxMessagesPerTopic,
        l.maxBytesPerTopic,
        k.channel,
        message.expiresAt,
        message.publishedAt + l.maxUnsubscribedTtlSeconds * 1000,
        refusal === null ? 1 : 0,
      )
    } catch (err) {
      // Redis at its maxmemory (noeviction) refuses writes: that is the cluster-wide mailbox limit.
      if (/^OOM /.test(String((err as Error)?.message))) return RELAY_FULL
      this.#health.fail()
      return UNAVAILABLE
    }
    const [status, subscribers, expiresAt] = r
    if (status === 0) return DUPLICATE
    if (status === 1) {
      this.#ledger.add(message, expiresAt)
      return STORED
    }
    const code = status < 0 ? RelayErrorCode.TopicMailboxFull : (refusal ?? RelayErrorCode.RelayMailboxFull)
    return subscribers > 0 ? { ok: true, duplicate: false, notStored: code } : { ok: false, code }
  }

  #fits(m: StoredMessage): boolean {
    const l = this.#limits
    return this.#ledger.messages < l.maxTotalMessages && this.#ledger.bytes + m.size <= l.maxTotalBytes
  }

  /**
   * At this node's totals: evict the oldest messages of the heaviest source (those of topics without
   * a subscriber on this node first), as MemoryBroker does, if it is heavier than `m`'s own; each
   * eviction removes the message from Redis for every node. Returns null once `m` fits.
   */
  async #makeRoom(m: StoredMessage): Promise<RelayErrorCode | null> {
    this.#ledger.sweep(m.publishedAt)
    while (!this.#fits(m)) {
      const byCount = this.#ledger.messages >= this.#limits.maxTotalMessages
      const victim = this.#ledger.victim(m, byCount, this.#unsubscribed)
      if (!victim) return RelayErrorCode.RelayMailboxFull
      const k = topicKeys(this.#prefix, victim.topicKey)
      this.#ledger.release(victim.topicKey, victim.idKey)
      this.#evicted++
      await this.#cmd.plAck(k.q, k.m, k.s, latin1(victim.idKey)).catch(() => this.#health.fail())
    }
    return null
  }

  async subscribe(topicKey: string, subscriber: Subscriber, nowMs: number): Promise<void> {
    let local = this.#local.get(topicKey)
    if (!local) {
      const channel = topicKeys(this.#prefix, topicKey).channel
      local = { subscribers: new Set(), subscribed: this.#sub.ssubscribe(channel) }
      this.#local.set(topicKey, local)
    }
    if (local.subscribers.has(subscriber)) return
    local.subscribers.add(subscriber)
    // Subscribed first, then read: a message stored in between arrives both ways (at-least-once),
    // never neither way.
    try {
      await local.subscribed
      const k = topicKeys(this.#prefix, topicKey)
      const frames = await this.#cmd.plReadBuffer(k.q, k.m, k.s, nowMs)
      if (!local.subscribers.has(subscriber)) return
      for (const f of frames) subscriber.deliver(this.#message(topicKey, f))
    } catch (err) {
      // Forget a failed shard subscription, so the next subscribe tries again.
      if (this.#local.get(topicKey) === local) this.#local.delete(topicKey)
      this.#health.fail()
      throw err
    }
  }

  unsubscribe(topicKey: string, subscriber: Subscriber): void {
    const local = this.#local.get(topicKey)
    if (!local?.subscribers.delete(subscriber) || local.subscribers.size > 0) return
    this.#local.delete(topicKey)
    // Nothing waits for this: a late unsubscribe only means a few unneeded messages.
    this.#sub.sunsubscribe(topicKeys(this.#prefix, topicKey).channel).catch(() => {})
  }

  async ack(topicKey: string, idKey: string): Promise<void> {
    const k = topicKeys(this.#prefix, topicKey)
    let r: string | null
    try {
      r = await this.#cmd.plAck(k.q, k.m, k.s, latin1(idKey))
    } catch (err) {
      this.#health.fail()
      throw err
    }
    if (r === null) return
    const origin = r.slice(0, 12)
    if (origin === this.nodeId) this.#ledger.release(topicKey, idKey)
    else this.#notify(origin, Buffer.concat([latin1(topicKey), latin1(idKey)]))
  }

  #notify(origin: string, entry: Buffer): void {
    const list = this.#notices.get(origin)
    if (list) return void list.push(entry)
    this.#notices.set(origin, [entry])
    if (this.#notices.size === 1) setImmediate(() => this.#flushNotices())
  }

  #flushNotices(): void {
    for (const [origin, list] of this.#notices) {
      // Lost if Redis is down: the origin then counts the message until its TTL ends (bounded).
      this.#cmd.spublish(nodeChannel(this.#prefix, origin), Buffer.concat(list)).catch(() => {})
    }
    this.#notices.clear()
  }

  #onMessage(channel: Buffer, data: Buffer): void {
    if (data.length >= ACK_NOTICE && channel.toString('latin1') === this.#noticeChannel) {
      for (let i = 0; i + ACK_NOTICE <= data.length; i += ACK_NOTICE) {
        const topic = data.toString('latin1', i, i + TOPIC_LEN)
        this.#ledger.release(topic, data.toString('latin1', i + TOPIC_LEN, i + ACK_NOTICE))
      }
      for (const f of this.#onRelease) f()
      return
    }
    if (data.length <= 1 + ACK_NOTICE) return
    const topicKey = data.toString('latin1', 1, 1 + TOPIC_LEN)
    const local = this.#local.get(topicKey)
    if (!local) return
    const message = this.#message(topicKey, data)
    for (const s of local.subscribers) s.deliver(message)
  }

  #message(topicKey: string, frame: Buffer): Message {
    const idKey = frame.toString('latin1', 1 + TOPIC_LEN, 1 + ACK_NOTICE)
    // A delivery, not stored here: expiry, age and publisher are the storing node's business.
    return new Message(topicKey, idKey, frame, frame.length - 1 - ACK_NOTICE, 0, 0, '', 0)
  }

  async sweep(nowMs: number): Promise<void> {
    for (const topicKey of this.#ledger.sweep(nowMs)) {
      const k = topicKeys(this.#prefix, topicKey)
      // Frees expired messages in Redis; a topic nobody touches again is freed by its key TTL anyway.
      this.#cmd.plPrune(k.q, k.m, k.s, nowMs).catch(() => this.#health.fail())
    }
    await this.#health.probe()
  }

  stats(): BrokerStats {
    const l = this.#ledger
    return {
      topics: this.#local.size,
      mailboxMessages: l.messages,
      mailboxBytes: l.bytes,
      expired: l.expired,
      evicted: this.#evicted,
    }
  }

  async close(): Promise<void> {
    this.#health.stop()
    this.#flushNotices()
    this.#local.clear()
    this.#ledger.clear()
    await Promise.allSettled([this.#cmd.quit(), this.#sub.quit()])
    // quit() does not stop a client that never connected from trying again: disconnect() does.
    this.#cmd.disconnect()
    this.#sub.disconnect()
  }
}
