import type { Topic } from '../protocol/topics.js'
import type { RelayClient, RelayMessage } from '../transport/index.js'

/** The topics a channel listens on: routed to it and subscribed at the relay, kept in sync with a wanted set. */
export class TopicRoutes {
  readonly #routes = new Map<Topic, () => void>()

  constructor(
    private readonly relay: RelayClient,
    private readonly receive: (m: RelayMessage) => void,
  ) {}

  /** Routes and subscribes what is wanted and new; unroutes and unsubscribes the rest. */
  sync(wanted: readonly Topic[]): Promise<void> {
    const want = new Set(wanted)
    const gone = [...this.#routes.keys()].filter((t) => !want.has(t))
    for (const t of gone) {
      this.#routes.get(t)?.()
      this.#routes.delete(t)
    }
    const fresh = [...want].filter((t) => !this.#routes.has(t))
    for (const t of fresh) this.#routes.set(t, this.relay.route(t, this.receive))
    if (gone.length) this.relay.unsubscribe(gone).catch(() => {})
    return fresh.length ? this.relay.subscribe(fresh) : Promise.resolve()
  }

  /** Unroutes everything and unsubscribes (not awaited: the relay may be unreachable). */
  close(): void {
    for (const unroute of this.#routes.values()) unroute()
    this.relay.unsubscribe([...this.#routes.keys()]).catch(() => {})
    this.#routes.clear()
  }
}
