import { RelayErrorCode } from '@pairline/wire'
import type { RelayLimits } from '../limits.js'
import type { Message, StoredMessage } from './types.js'

export type QuotaLimits = Pick<
  RelayLimits,
  | 'maxStoredMessagesPerConnection'
  | 'maxStoredBytesPerConnection'
  | 'maxStoredMessagesPerIp'
  | 'maxStoredBytesPerIp'
>

/** A class, not an object literal: see Message in types.ts (V8 pretenures busy literal sites). */
class Usage {
  messages = 0
  bytes = 0
}

/**
 * What one source (a client address) stores, oldest first: eviction takes from the front. A list
 * linked through the messages (Message.olderOfSource / newerOfSource), not a Set: adding and
 * removing touch no hash table.
 */
export class SourceUsage extends Usage {
  oldest: Message | null = null
  newest: Message | null = null
}

/**
 * Who stores what: per publishing connection and per source address, counted from store to ack,
 * expiry or eviction, whether the connection is still open or not (§13.5, "Fair storage").
 */
export class Quotas {
  readonly #limits: QuotaLimits
  readonly #sources = new Map<string, SourceUsage>()
  readonly #publishers = new Map<number, Usage>()

  constructor(limits: QuotaLimits) {
    this.#limits = limits
  }

  /** The quota `m` would exceed if stored, or null. */
  refusal(m: StoredMessage): RelayErrorCode | null {
    const l = this.#limits
    const p = this.#publishers.get(m.publisher)
    if (
      p &&
      (p.messages >= l.maxStoredMessagesPerConnection || p.bytes + m.size > l.maxStoredBytesPerConnection)
    )
      return RelayErrorCode.ConnectionQuotaExceeded
    if (m.size > l.maxStoredBytesPerConnection) return RelayErrorCode.ConnectionQuotaExceeded
    const s = this.#sources.get(m.source)
    if (s && (s.messages >= l.maxStoredMessagesPerIp || s.bytes + m.size > l.maxStoredBytesPerIp))
      return RelayErrorCode.IpQuotaExceeded
    if (m.size > l.maxStoredBytesPerIp) return RelayErrorCode.IpQuotaExceeded
    return null
  }

  add(m: Message): void {
    let p = this.#publishers.get(m.publisher)
    if (!p) {
      p = new Usage()
      this.#publishers.set(m.publisher, p)
    }
    p.messages++
    p.bytes += m.size
    let s = this.#sources.get(m.source)
    if (!s) {
      s = new SourceUsage()
      this.#sources.set(m.source, s)
    }
    s.messages++
    s.bytes += m.size
    m.olderOfSource = s.newest
    m.newerOfSource = null
    if (s.newest) s.newest.newerOfSource = m
    else s.oldest = m
    s.newest = m
  }

  /** Forgets `m` (stored with add() before; a message never added is ignored). */
  remove(m: Message): void {
    const p = this.#publishers.get(m.publisher)
    if (p && --p.messages === 0) this.#publishers.delete(m.publisher)
    else if (p) p.bytes -= m.size
    const s = this.#sources.get(m.source)
    if (!s || (s.oldest !== m && m.olderOfSource === null)) return
    const { olderOfSource: older, newerOfSource: newer } = m
    if (older) older.newerOfSource = newer
    else s.oldest = newer
    if (newer) newer.olderOfSource = older
    else s.newest = older
    m.olderOfSource = null
    m.newerOfSource = null
    if (--s.messages === 0) this.#sources.delete(m.source)
    else s.bytes -= m.size
  }

  /** `u` stores more than `m`'s own source would once `m` is stored (messages or bytes). */
  heavier(u: SourceUsage, m: StoredMessage, byCount: boolean): boolean {
    const own = this.#sources.get(m.source)
    if (byCount) return u.messages > (own?.messages ?? 0) + 1
    return u.bytes > (own?.bytes ?? 0) + m.size
  }

  /**
   * The source that stores the most (messages when `byCount`, else bytes), if it is heavier than
   * `m`'s own (see heavier()): only a heavier source is ever evicted for `m`. One scan of the sources.
   */
  heaviest(m: StoredMessage, byCount: boolean): SourceUsage | null {
    let best: SourceUsage | null = null
    for (const u of this.#sources.values()) {
      if (best ? (byCount ? u.messages > best.messages : u.bytes > best.bytes) : true) best = u
    }
    return best && this.heavier(best, m, byCount) ? best : null
  }

  /** A source's oldest message, preferring one whose topic has no subscriber (within the first 64). */
  static victim(u: SourceUsage, unsubscribed: (m: StoredMessage) => boolean): Message | undefined {
    let looked = 0
    for (let m = u.oldest; m !== null && looked < 64; m = m.newerOfSource, looked++) {
      if (unsubscribed(m)) return m
    }
    return u.oldest ?? undefined
  }

  clear(): void {
    this.#sources.clear()
    this.#publishers.clear()
  }
}
