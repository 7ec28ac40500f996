/**
 * What this node has stored in Redis and not yet seen removed: the basis of the mailbox totals
 * (maxTotalMessages, maxTotalBytes), which on Redis hold per node. A message leaves the ledger once:
 * at the end of its TTL (known here, so no Redis round trip), when acked through this node, or when
 * another node tells us it acked it (ACK returns the origin node; see RedisBroker).
 */
type Entry = { topicKey: string; size: number; expiresAt: number }

export class Ledger {
  readonly #entries = new Map<string, Entry>()
  /** second -> ids expiring then */
  readonly #due = new Map<number, string[]>()
  #sweptTo: number
  messages = 0
  bytes = 0
  expired = 0

  constructor(nowMs: number) {
    this.#sweptTo = Math.floor(nowMs / 1000)
  }

  add(topicKey: string, idKey: string, size: number, expiresAt: number): void {
    const id = topicKey + idKey
    if (this.#entries.has(id)) return
    this.#entries.set(id, { topicKey, size, expiresAt })
    this.messages++
    this.bytes += size
    const second = Math.ceil(expiresAt / 1000)
    const list = this.#due.get(second)
    if (list) list.push(id)
    else this.#due.set(second, [id])
  }

  /** Forgets a message (acked); false if it was not here. */
  release(topicKey: string, idKey: string): boolean {
    const id = topicKey + idKey
    const e = this.#entries.get(id)
    if (!e) return false
    this.#entries.delete(id)
    this.messages--
    this.bytes -= e.size
    return true
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
        this.#entries.delete(id)
        this.messages--
        this.bytes -= e.size
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
    this.messages = 0
    this.bytes = 0
  }
}
