import { randomBytes } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'
import type { BrokerEvents, BrokerHealth } from '../types.js'
import { type Commands, epochTags } from './connect.js'
import { epochKey } from './keys.js'

/**
 * Whether Redis can be used, and whether it lost data. Any failed command or dropped connection makes
 * the node `degraded` at once; a probe (each sweep, once a second) makes it `ok` again when every
 * connection is ready and every epoch key answers. An epoch key that vanished means its Redis
 * restarted without its data (or was flushed): the probe creates a new epoch and reports `lost`.
 */
export class StorageHealth {
  state: BrokerHealth = 'degraded'
  readonly #cmd: Commands
  readonly #sub: Redis | Cluster
  readonly #prefix: string
  readonly #listeners: BrokerEvents[] = []
  /** tag -> the epoch seen last */
  readonly #epochs = new Map<string, string>()
  #probing: Promise<void> | null = null
  #tags: string[] | null = null

  constructor(cmd: Commands, sub: Redis | Cluster, prefix: string) {
    this.#cmd = cmd
    this.#sub = sub
    this.#prefix = prefix
  }

  watch(listener: BrokerEvents): void {
    this.#listeners.push(listener)
  }

  /** The broker is closing: its own disconnects are not failures. */
  stop(): void {
    this.#listeners.length = 0
  }

  /** A command failed or a connection dropped. */
  fail(): void {
    if (this.state === 'degraded') return
    this.state = 'degraded'
    for (const l of this.#listeners) l.degraded()
  }

  /** Checks connections and epochs; at most one probe runs at a time. */
  probe(): Promise<void> {
    this.#probing ??= this.#probe().finally(() => {
      this.#probing = null
    })
    return this.#probing
  }

  async #probe(): Promise<void> {
    if (this.#cmd.status !== 'ready' || this.#sub.status !== 'ready') return this.fail()
    let lost = false
    try {
      // Looked up again after any failure: a Cluster's slot ranges can change.
      this.#tags ??= await epochTags(this.#cmd)
      const tags = this.#tags
      const fresh = randomBytes(8).toString('hex')
      const epochs = await Promise.all(tags.map((t) => this.#cmd.plEpoch(epochKey(this.#prefix, t), fresh)))
      const first = this.#epochs.size === 0
      const seen = new Set(this.#epochs.values())
      this.#epochs.clear()
      for (const [i, t] of tags.entries()) this.#epochs.set(t, epochs[i] as string)
      // A changed range (resharding) shows an epoch we knew from another range: not a loss.
      lost = !first && epochs.some((e) => !seen.has(e as string))
    } catch {
      this.#tags = null
      return this.fail()
    }
    if (lost) for (const l of this.#listeners) l.lost()
    if (this.state === 'degraded') {
      this.state = 'ok'
      for (const l of this.#listeners) l.restored()
    }
  }
}
