import type { Dapp, DappSession, Pairing } from '../dapp/types.js'
import { type RelayedEvent, type SessionSnapshot, snapshot, type TabMessage, wireError } from './messages.js'

const RELAYED: readonly RelayedEvent[] = [
  'accountsChanged',
  'chainChanged',
  'disconnect',
  'extended',
  'response',
]

export type LeaderHooks = {
  post(m: TabMessage): void
  /** A real session of this tab changed (or appeared): update this tab's own wrapper. */
  local(s: DappSession, name: RelayedEvent | 'new', arg: unknown, snap: SessionSnapshot): void
}

/**
 * The leader tab's side: it alone holds the Dapp (one relay connection), answers the other tabs'
 * requests and pairings with it, and relays every session event to all of them.
 */
export class Leader {
  readonly #dapp: Dapp
  readonly #hooks: LeaderHooks
  readonly #pairings = new Map<string, Pairing>()
  readonly #bound = new WeakSet<DappSession>()

  constructor(dapp: Dapp, hooks: LeaderHooks) {
    this.#dapp = dapp
    this.#hooks = hooks
  }

  /** Relays a real session's events (once per session) and announces it. */
  bind(s: DappSession): void {
    if (this.#bound.has(s)) return
    this.#bound.add(s)
    for (const name of RELAYED)
      s.on(name, (arg: unknown) => {
        const snap = snapshot(s)
        this.#hooks.local(s, name, arg, snap)
        this.#hooks.post({ t: 'ev', id: s.id, name, arg, snap })
      })
    this.#hooks.local(s, 'new', undefined, snapshot(s))
  }

  announce(): void {
    const list = this.#dapp.sessions.filter((s) => !s.ended).map(snapshot)
    this.#hooks.post({ t: 'sessions', list })
  }

  find(id: string): DappSession | undefined {
    return this.#dapp.sessions.find((s) => s.id === id && !s.ended)
  }

  handle(m: TabMessage): void {
    switch (m.t) {
      case 'hello':
        this.announce()
        return
      case 'req': {
        const s = this.find(m.id)
        if (!s) {
          this.#hooks.post({
            t: 'res',
            rid: m.rid,
            error: { code: 4900, message: 'The session has ended.' },
          })
          return
        }
        s.request(m.method, m.params).then(
          (result) => this.#hooks.post({ t: 'res', rid: m.rid, result }),
          (err: unknown) => this.#hooks.post({ t: 'res', rid: m.rid, error: wireError(err) }),
        )
        return
      }
      case 'end':
        void this.find(m.id)?.disconnect(m.message)
        return
      case 'pair':
        void this.#pairFor(m.pid)
        return
      case 'pact': {
        const p = this.#pairings.get(m.pid)
        if (m.act === 'confirm') p?.confirm().catch(() => {})
        else if (m.act === 'reject') void p?.reject()
        else p?.cancel()
        return
      }
      default:
        return
    }
  }

  /** A pairing started by another tab: its QR, code and outcome travel to every tab. */
  async #pairFor(pid: string): Promise<void> {
    const post = this.#hooks.post
    let p: Pairing
    try {
      p = await this.#dapp.pair()
    } catch (err) {
      post({ t: 'perr', pid, error: wireError(err) })
      return
    }
    this.#pairings.set(pid, p)
    post({ t: 'pairing', pid, uri: p.uri, expiresAt: p.expiresAt })
    p.on('state', (state) => post({ t: 'pstate', pid, state }))
    p.sas.then(
      (sas) => post({ t: 'psas', pid, sas }),
      () => {},
    )
    p.approved.then(
      (s) => {
        this.#pairings.delete(pid)
        this.bind(s)
        post({ t: 'pok', pid, snap: snapshot(s) })
        this.announce() // every other tab learns of the session
      },
      (err: unknown) => {
        this.#pairings.delete(pid)
        post({ t: 'perr', pid, error: wireError(err) })
      },
    )
  }
}
