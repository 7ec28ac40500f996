import { RelayErrorCode } from '@pairline/wire'
import type { RelayLimits } from '../limits.js'
import { type QuotaLimits, Quotas, type SourceUsage } from './quotas.js'
import { FrameSlabs } from './slab.js'
import {
  type Broker,
  type BrokerStats,
  type DueList,
  Message,
  type PublishResult,
  type StoredMessage,
  type Subscriber,
} from './types.js'

/**
 * A topic. Most topics have one subscriber and few stored messages, so both start small: the
 * message Map is created on the first message, and one subscriber is held without a Set.
 */
type Box = {
  messages: Map<string, Message> | null
  bytes: number
  subscribers: Subscriber | Set<Subscriber> | null
}

function hasSubscriber(box: Box, s: Subscriber): boolean {
  const subs = box.subscribers
  return subs === s || (subs instanceof Set && subs.has(s))
}

function isEmpty(box: Box): boolean {
  return (box.messages === null || box.messages.size === 0) && box.subscribers === null
}

// Shared answers: publish runs per message, and these are never mutated.
const STORED: PublishResult = Object.freeze({ ok: true, duplicate: false })
const DUPLICATE: PublishResult = Object.freeze({ ok: true, duplicate: true })

export type MailboxLimits = QuotaLimits &
  Pick<
    RelayLimits,
    | 'maxMessagesPerTopic'
    | 'maxBytesPerTopic'
    | 'maxTotalMessages'
    | 'maxTotalBytes'
    | 'maxUnsubscribedTtlSeconds'
  >

/**
 * The single-node broker: topics, subscribers and mailboxes in memory, bounded by the mailbox
 * limits and shared fairly by the quotas (Broker.publish in types.ts has the rules). Expiry is
 * bucketed by second so an ack removes a message in O(1) and a sweep touches only what is due;
 * each second's messages are a list linked through them (Message.prevDue / nextDue), not a Set.
 */
export class MemoryBroker implements Broker {
  readonly #boxes = new Map<string, Box>()
  readonly #expiry = new Map<number, DueList>()
  /** the list last added to: most messages of one second share their TTL, so their second */
  #lastDue: DueList | null = null
  readonly #limits: MailboxLimits
  readonly #quotas: Quotas
  readonly #frames = new FrameSlabs()
  readonly #unsubscribed = (m: StoredMessage) => this.#boxes.get(m.topicKey)?.subscribers === null
  #messages = 0
  #bytes = 0
  #expired = 0
  #evicted = 0
  #sweptTo: number

  constructor(limits: MailboxLimits, nowMs = Date.now()) {
    this.#limits = limits
    this.#quotas = new Quotas(limits)
    this.#sweptTo = Math.floor(nowMs / 1000)
  }

  #box(topicKey: string): Box {
    let box = this.#boxes.get(topicKey)
    if (!box) {
      box = { messages: null, bytes: 0, subscribers: null }
      this.#boxes.set(topicKey, box)
    }
    return box
  }

  #dropIfEmpty(topicKey: string, box: Box): void {
    if (isEmpty(box)) this.#boxes.delete(topicKey)
  }

  frameBuffer(length: number): Uint8Array {
    return this.#frames.alloc(length)
  }

  publish(stored: StoredMessage): PublishResult {
    // The relay publishes Messages; anything else gets one (its bookkeeping fields live there).
    const message = stored instanceof Message ? stored : copyOf(stored)
    const box = this.#box(message.topicKey)
    if (box.messages?.has(message.idKey)) {
      this.#frames.free(message.frame)
      return DUPLICATE
    }
    const subs = box.subscribers
    if (subs === null) {
      // Nobody listens: a pairing needs minutes, not the days a publisher may ask for.
      const cap = message.publishedAt + this.#limits.maxUnsubscribedTtlSeconds * 1000
      if (message.expiresAt > cap) message.expiresAt = cap
    } else if (subs instanceof Set) for (const s of subs) s.deliver(message)
    else subs.deliver(message)
    const code = this.#refusal(box, message)
    if (code !== null) {
      this.#frames.free(message.frame)
      this.#dropIfEmpty(message.topicKey, box)
      return subs === null ? { ok: false, code } : { ok: true, duplicate: false, notStored: code }
    }
    box.messages ??= new Map()
    box.messages.set(message.idKey, message)
    box.bytes += message.size
    this.#messages++
    this.#bytes += message.size
    this.#quotas.add(message)
    this.#addDue(message)
    return STORED
  }

  #addDue(m: Message): void {
    const second = Math.ceil(m.expiresAt / 1000)
    let list = this.#lastDue
    if (list === null || list.second !== second) {
      list = this.#expiry.get(second) ?? null
      if (list === null) {
        list = { second, first: null }
        this.#expiry.set(second, list)
      }
      this.#lastDue = list
    }
    const first = list.first
    m.nextDue = first
    m.prevDue = null
    if (first) first.prevDue = m
    list.first = m
    m.due = list
  }

  #removeDue(m: Message): void {
    const list = m.due
    if (list === null) return
    const { prevDue: prev, nextDue: next } = m
    if (prev) prev.nextDue = next
    else list.first = next
    if (next) next.prevDue = prev
    m.prevDue = null
    m.nextDue = null
    m.due = null
    if (list.first === null) {
      if (this.#expiry.get(list.second) === list) this.#expiry.delete(list.second)
      if (this.#lastDue === list) this.#lastDue = null
    }
  }

  #fits(m: Message): boolean {
    const l = this.#limits
    return this.#messages < l.maxTotalMessages && this.#bytes + m.size <= l.maxTotalBytes
  }

  #refusal(box: Box, m: Message): RelayErrorCode | null {
    const l = this.#limits
    if ((box.messages?.size ?? 0) >= l.maxMessagesPerTopic || box.bytes + m.size > l.maxBytesPerTopic)
      return RelayErrorCode.TopicMailboxFull
    const quota = this.#quotas.refusal(m)
    if (quota !== null) return quota
    if (!this.#fits(m)) this.#makeRoom(m)
    return this.#fits(m) ? null : RelayErrorCode.RelayMailboxFull
  }

  /**
   * At the totals: expired messages go first, then the oldest of the heaviest source, as long as it
   * is heavier than `m`'s own. A batch of at least 1/1024 of the totals each time, so that the scan
   * for the heaviest source runs once per batch and not once per publish.
   */
  #makeRoom(m: Message): void {
    this.#expireDue(m.publishedAt)
    const l = this.#limits
    const batchMessages = Math.ceil(l.maxTotalMessages / 1024)
    const batchBytes = Math.ceil(l.maxTotalBytes / 1024)
    let freedMessages = 0
    let freedBytes = 0
    let source: SourceUsage | null = null
    while (
      !this.#fits(m) ||
      (freedMessages < batchMessages && freedBytes < batchBytes && freedMessages > 0)
    ) {
      const byCount = this.#messages >= l.maxTotalMessages
      // The heaviest source is looked for again only once the last one is no longer heavier.
      if (!source || !this.#quotas.heavier(source, m, byCount)) source = this.#quotas.heaviest(m, byCount)
      const victim = source && Quotas.victim(source, this.#unsubscribed)
      const box = victim && this.#boxes.get(victim.topicKey)
      if (!victim || !box) return
      this.#remove(box, victim)
      this.#evicted++
      freedMessages++
      freedBytes += victim.size
    }
  }

  subscribe(topicKey: string, subscriber: Subscriber, nowMs: number): void {
    const box = this.#box(topicKey)
    if (hasSubscriber(box, subscriber)) return
    const subs = box.subscribers
    if (subs === null) box.subscribers = subscriber
    else if (subs instanceof Set) subs.add(subscriber)
    else box.subscribers = new Set([subs, subscriber])
    // A message past its TTL but not yet swept is never delivered.
    if (box.messages) for (const m of box.messages.values()) if (m.expiresAt > nowMs) subscriber.deliver(m)
  }

  unsubscribe(topicKey: string, subscriber: Subscriber): void {
    const box = this.#boxes.get(topicKey)
    if (!box) return
    const subs = box.subscribers
    if (subs === subscriber) box.subscribers = null
    else if (subs instanceof Set) {
      subs.delete(subscriber)
      if (subs.size === 1) box.subscribers = subs.values().next().value as Subscriber
    }
    this.#dropIfEmpty(topicKey, box)
  }

  #remove(box: Box, message: Message): void {
    box.messages?.delete(message.idKey)
    box.bytes -= message.size
    this.#messages--
    this.#bytes -= message.size
    this.#quotas.remove(message)
    this.#frames.free(message.frame)
    this.#removeDue(message)
    this.#dropIfEmpty(message.topicKey, box)
  }

  ack(topicKey: string, idKey: string): void {
    const box = this.#boxes.get(topicKey)
    const message = box?.messages?.get(idKey)
    if (box && message) this.#remove(box, message)
  }

  /** Drops every message whose second is due at `nowMs`. */
  #expireDue(nowMs: number): void {
    const now = Math.floor(nowMs / 1000)
    for (let s = this.#sweptTo; s <= now; s++) {
      const list = this.#expiry.get(s)
      if (!list) continue
      for (let m = list.first, next: Message | null; m !== null; m = next) {
        next = m.nextDue
        const box = this.#boxes.get(m.topicKey)
        if (box?.messages?.get(m.idKey) === m) {
          this.#remove(box, m)
          this.#expired++
        } else this.#removeDue(m)
      }
      this.#expiry.delete(s)
    }
    this.#sweptTo = Math.max(this.#sweptTo, now + 1)
  }

  sweep(nowMs: number): void {
    this.#expireDue(nowMs)
    // Frames that keep a mostly empty slab alive move to a slab of long-lived frames (slab.ts).
    const evacuate = this.#frames.sweep()
    if (!evacuate) return
    for (const box of this.#boxes.values()) {
      if (!box.messages) continue
      for (const m of box.messages.values()) {
        if (evacuate.has(m.frame.buffer)) m.frame = this.#frames.move(m.frame)
      }
    }
  }

  stats(): BrokerStats {
    return {
      topics: this.#boxes.size,
      mailboxMessages: this.#messages,
      mailboxBytes: this.#bytes,
      expired: this.#expired,
      evicted: this.#evicted,
    }
  }

  async close(): Promise<void> {
    this.#boxes.clear()
    this.#expiry.clear()
    this.#lastDue = null
    this.#frames.clear()
    this.#quotas.clear()
    this.#messages = 0
    this.#bytes = 0
  }
}

function copyOf(m: StoredMessage): Message {
  return new Message(m.topicKey, m.idKey, m.frame, m.size, m.expiresAt, m.publishedAt, m.source, m.publisher)
}
