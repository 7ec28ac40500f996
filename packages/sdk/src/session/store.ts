import { wipe } from '../protocol/bytes.js'
import type { Storage } from '../storage/types.js'
import { softTimeout } from '../util/timers.js'
import { decodeRecord } from './record.js'

/**
 * The stored sessions under `prefix` that are still worth restoring: expired ones are deleted,
 * ones already live in this process are skipped. The caller owns (and wipes) each `secret`.
 */
export async function* storedSessions<T extends { expiresAt: number; channel: { sessionId: string } }>(
  storage: Storage,
  prefix: string,
  nowSeconds: number,
  isLive: (sessionId: string) => boolean,
): AsyncGenerator<{ json: T; secret: Uint8Array }> {
  for (const key of await storage.keys(prefix)) {
    const bytes = await storage.get(key)
    if (!bytes) continue
    const record = decodeRecord<T>(bytes)
    const expired = record.json.expiresAt <= nowSeconds
    if (expired || isLive(record.json.channel.sessionId)) {
      if (expired) await storage.delete(key)
      wipe(record.secret)
      continue
    }
    yield record
  }
}

/** The live sessions of one dApp or wallet client; a session leaves the list when it ends. */
export class SessionList<S extends { id: string; on(event: 'disconnect', fn: () => void): unknown }> {
  readonly #items: S[] = []

  add(s: S): S {
    this.#items.push(s)
    s.on('disconnect', () => {
      const i = this.#items.indexOf(s)
      if (i >= 0) this.#items.splice(i, 1)
    })
    return s
  }

  has(id: string): boolean {
    return this.#items.some((s) => s.id === id)
  }

  get all(): S[] {
    return [...this.#items]
  }
}

/** Fires `onExpire` at `expiresAt()` (unix seconds, re-read when armed), without holding the process. */
export class ExpiryTimer {
  #timer: ReturnType<typeof setTimeout> | null = null
  constructor(
    private readonly now: () => number,
    private readonly expiresAt: () => number,
    private readonly onExpire: () => void,
  ) {}

  arm(): void {
    this.stop()
    this.#timer = softTimeout(
      () => {
        if (this.now() >= this.expiresAt()) this.onExpire()
        else this.arm() // one timer holds at most ~24.8 days
      },
      (this.expiresAt() - this.now()) * 1000,
    )
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
  }
}
