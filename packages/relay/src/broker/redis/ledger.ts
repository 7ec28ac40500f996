import type { RelayErrorCode } from '@pairline/wire'
import { type QuotaLimits, Quotas, type SourceUsage } from '../quotas.js'
import { Message, type StoredMessage } from '../types.js'

const NO_FRAME = new Uint8Array(0)

/**
 * What this node has stored in Redis and not yet seen removed: the basis of the mailbox totals and
 * of the per-connection and per-address quotas, which on Redis hold per node. Entries keep no
 * frame (Redis has it). A message leaves once: at the end of its TTL (known here, no round trip),
 * when acked or evicted through this node, or when another node tells us it acked it (ACK returns
 * the origin node; see RedisBroker).
 */
export class Ledger {
  readonly #entries = new Map<string, Message>()
  /** second -> ids expiring then */
  readonly #due = new Map<number, string[]>()
  readonly #quotas: Quotas
  #sweptTo: number
  messages = 0
  bytes = 0
  expired = 0

  constructor(limits: QuotaLimits, nowMs: number) {
    this.#quotas = new Quotas(limits)
    this.#sweptTo = Math.floor(nowMs / 1000)
  }

  /** The quota `m` would exceed if stored (CONNECTION_/IP_QUOTA_EXCEEDED), or null. */
  refusal(m: StoredMessage): RelayErrorCode | null {
    return this.#quotas.refusal(m)
  }

  /** The oldest message of the source heavier than `m`'s, to evict for it (see Quotas). */
  victim(
    m: StoredMessage,
    byCount: boolean,
    unsubscribed: (v: StoredMessage) => boolean,
  ): StoredMessage | undefined {
    const source: SourceUsage | null = this.#quotas.heaviest(m, byCount)
    return source ? Quotas.victim(source, unsubscribed) : undefined
  }

  add(m: StoredMessage, expiresAt: number): void {
    const id = m.topicKey + m.idKey
    if (this.#entries.has(id)) return
    const e = new Message(
      m.topicKey,
      m.idKey,
      NO_FRAME,
      m.size,
      expiresAt,
      m.publishedAt,
      m.source,
      m.publisher,
    )
    this.#entries.set(id, e)
    this.#quotas.add(e)
    this.messages++
    this.bytes += e.size
    const second = Math.ceil(expiresAt / 1000)
    const list = this.#due.get(second)
    if (list) list.push(id)
    else this.#due.set(second, [id])
  }

  /** Forgets a message (acked or evicted); false if it was not here. */
  release(topicKey: string, idKey: string): boolean {
    const id = topicKey + idKey
    const e = this.#entries.get(id)
    if (!e) return false
    this.#forget(id, e)
    return true
  }

  #forget(id: string, e: Message): void {
    this.#entries.delete(id)
    this.#quotas.remove(e)
    this.messages--
    this.bytes -= e.size
  }

  /** Drops what has expired by `nowMs`; returns the topics that held such messages. */
  sweep(nowMs: number): Set<string> {
    const topics = new Set<string>()
    const now = Math.floor(nowMs / 1000)
    for (let s = this.#sweptTo; s <= now; s++) {
      const list = this.#due.get(s)
      if (!list) continue
      this.#due.delete(s)
      for (const id of list) {
        const e = this.#entries.get(id)
        if (!e) continue
        this.#forget(id, e)
        this.expired++
        topics.add(e.topicKey)
      }
    }
    this.#sweptTo = now + 1
    return topics
  }

  clear(): void {
    this.#entries.clear()
    this.#due.clear()
    this.#quotas.clear()
    this.messages = 0
    this.bytes = 0
  }
}
