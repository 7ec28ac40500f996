/**
 * `@pairline/sdk/tabs`: one dApp open in several tabs of a browser shares one Pairline session
 * and one relay connection (docs/PROTOCOL.md §3.5). The tab holding a Web Lock is the leader: it
 * alone creates the Dapp; the others reach it over a BroadcastChannel. When the leader closes, the
 * next tab in the lock's queue takes over and restores the sessions from the shared storage.
 */
import { EventEmitter } from 'eventemitter3'
import { createDapp } from '../dapp/createDapp.js'
import type { Dapp, DappOptions, DappSession, Pairing } from '../dapp/types.js'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import { toCaip2 } from '../messages/caip.js'
import { invalidArgument } from '../protocol/uri.js'
import { Follower } from './follower.js'
import { Leader } from './leader.js'
import type { SessionSnapshot, TabMessage } from './messages.js'
import { type SessionBackend, TabSession } from './session.js'

export type TabRole = 'leader' | 'follower'

/** What the tabs of a dApp share: the Dapp's face without its relay client (only the leader has one). */
export type TabDapp = Pick<Dapp, 'restoreSessions' | 'sessions' | 'close'> & {
  /** As `dapp.pair()`, from any tab. Sign-in at connect (`pair({ signIn })`) is createDapp's only. */
  pair(): Promise<Pairing>
  /** This tab's role now; `role` events when a follower takes over. */
  readonly role: TabRole
  /** `session`: a session appeared in this tab without its own pairing (another tab paired). */
  on(event: 'role', fn: (role: TabRole) => void): void
  on(event: 'session', fn: (session: DappSession) => void): void
}

export type TabDappOptions = Omit<DappOptions, 'signInVerifier'> & {
  /** Names the lock and the channel; default the metadata URL (one dApp, one shared session set). */
  tabsName?: string
}

/**
 * createDapp for a dApp open in several tabs. Without Web Locks or BroadcastChannel (Node, old
 * browsers) every instance is its own leader, as createDapp.
 */
export function createTabDapp(options: TabDappOptions): TabDapp {
  return new Tabs(options)
}

class Tabs extends EventEmitter<{ role: [TabRole]; session: [DappSession] }> implements TabDapp {
  role: TabRole = 'follower'
  readonly #options: TabDappOptions
  readonly #name: string
  readonly #wrappers = new Map<string, TabSession>()
  readonly #channel: BroadcastChannel | undefined
  readonly #follower: Follower
  readonly #rpcUrls: Record<string, string>
  #leader: Leader | undefined
  #dapp: Dapp | undefined
  #known = deferred0<void>()
  /** Settles when this tab, as the new leader, has restored the stored sessions. */
  #restoring: Promise<void> = Promise.resolve()
  #release: (() => void) | undefined
  #closed = false
  /** The leader answers other tabs only once its sessions are restored (it announces them then). */
  #serving = false
  readonly #ready: Promise<void>

  constructor(options: TabDappOptions) {
    super()
    this.#options = options
    this.#name = `pairline:${options.tabsName ?? options.metadata.url}`
    this.#rpcUrls = Object.fromEntries(
      Object.entries(options.rpcUrls ?? {}).map(([k, v]) => [toCaip2(/^\d+$/.test(k) ? Number(k) : k), v]),
    )
    const shared =
      typeof BroadcastChannel !== 'undefined' && typeof navigator !== 'undefined' && !!navigator.locks
    this.#channel = shared ? new BroadcastChannel(this.#name) : undefined
    this.#follower = new Follower(
      (m) => this.#channel?.postMessage(m),
      (snap) => this.#wrap(snap, this.#follower),
    )
    this.#channel?.addEventListener('message', (e) => this.#onMessage(e.data as TabMessage))
    this.#ready = shared ? this.#elect() : Promise.resolve(this.#lead())
  }

  get sessions(): readonly DappSession[] {
    return [...this.#wrappers.values()].filter((s) => !s.ended)
  }

  /** Takes the lock at once if free; else follows and waits in the lock's queue to take over. */
  #elect(): Promise<void> {
    const held = new Promise<void>((resolve) => {
      this.#release = resolve
    })
    return new Promise<void>((ready) => {
      void navigator.locks.request(this.#name, { ifAvailable: true }, async (lock) => {
        if (!lock) {
          ready()
          this.#channel?.postMessage({ t: 'hello' } satisfies TabMessage)
          void navigator.locks.request(this.#name, async () => {
            if (this.#closed) return
            this.#follower.failAll()
            await this.#lead()
            await held
          })
          return
        }
        await this.#lead()
        ready()
        await held
      })
    })
  }

  async #lead(): Promise<void> {
    // A new leader: what the other followers had in flight with the old one has an unknown outcome.
    this.#channel?.postMessage({ t: 'leader' } satisfies TabMessage)
    const dapp = createDapp(this.#options)
    this.#dapp = dapp
    const leader = new Leader(dapp, {
      post: (m) => this.#channel?.postMessage(m),
      local: (s, name, arg, snap) => {
        const w = this.#wrappers.get(s.id)
        if (!w || name === 'new') this.#wrap(snap, this.#localBackend(), true)
        else w.apply(name, arg, snap)
      },
    })
    this.#leader = leader
    this.role = 'leader'
    let restored = () => {}
    this.#restoring = new Promise<void>((r) => {
      restored = r
    })
    // This tab's sessions stop asking the old leader (gone) and wait for this one's restore.
    for (const w of this.#wrappers.values()) w.backend = this.#localBackend()
    try {
      for (const s of await dapp.restoreSessions()) leader.bind(s)
    } finally {
      restored()
    }
    // Sessions this tab knew from the old leader that did not come back have ended.
    for (const w of this.#wrappers.values())
      if (!leader.find(w.id))
        w.apply('disconnect', { code: 4900, message: 'The session has ended.' }, snapshotOf(w))
    this.#known.resolve()
    this.#serving = true
    leader.announce()
    this.emit('role', 'leader')
  }

  #localBackend(): SessionBackend {
    // A new leader restores its sessions (a resume each) first: what is asked meanwhile waits.
    const find = async (id: string) => {
      await this.#restoring
      return this.#leader?.find(id)
    }
    return {
      request: async (id, method, params) => {
        const s = await find(id)
        if (!s) throw new ProviderRpcError(RpcCode.Disconnected, 'The session has ended.')
        return s.request(method, params)
      },
      disconnect: async (id, message) => (await find(id))?.disconnect(message),
    }
  }

  /** This tab's one object per session id; a new backend replaces the old one (takeover). */
  #wrap(snap: SessionSnapshot, backend: SessionBackend, local = false): TabSession {
    const existing = this.#wrappers.get(snap.id)
    if (existing) {
      if (local) existing.backend = backend
      return existing
    }
    const w = new TabSession(snap, backend, this.#rpcUrls, this.#options.metadata.url)
    this.#wrappers.set(snap.id, w)
    if (this.#serving || this.role === 'follower') queueMicrotask(() => this.emit('session', w))
    return w
  }

  #onMessage(m: TabMessage): void {
    if (this.#closed) return
    if (this.role === 'leader') {
      if (this.#serving) this.#leader?.handle(m)
      return
    }
    if (m.t === 'sessions') {
      for (const snap of m.list) this.#wrap(snap, this.#follower)
      for (const w of this.#wrappers.values())
        if (!m.list.some((s) => s.id === w.id))
          w.apply('disconnect', { code: 4900, message: 'The session has ended.' }, snapshotOf(w))
      this.#known.resolve()
    } else if (m.t === 'ev') this.#wrap(m.snap, this.#follower).apply(m.name, m.arg, m.snap)
    else if (m.t === 'leader') this.#follower.failAll()
    else this.#follower.handle(m)
  }

  async pair(...args: unknown[]): Promise<Pairing> {
    // The tabs share sessions by snapshot, which carries no sign-in: refuse rather than drop it.
    if ((args[0] as { signIn?: unknown } | undefined)?.signIn !== undefined)
      throw invalidArgument('createTabDapp does not sign in at connect: use createDapp for pair({ signIn }).')
    await this.#ready
    if (this.role === 'leader') {
      const p = await this.#dapp!.pair()
      void p.approved.then(
        (s) => {
          this.#leader?.bind(s)
          this.#leader?.announce() // the other tabs learn of it
        },
        () => {},
      )
      const approved = p.approved.then((s) => this.#wrappers.get(s.id) ?? s)
      approved.catch(() => {}) // as `approved` of any pairing: never an unhandled rejection
      return {
        ...p,
        get state() {
          return p.state
        },
        approved,
        confirm: () => p.confirm().then(() => approved),
      }
    }
    return this.#follower.pair()
  }

  async restoreSessions(): Promise<DappSession[]> {
    await this.#ready
    await this.#known.promise
    return [...this.sessions]
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#channel?.close()
    await this.#dapp?.close()
    this.#release?.()
  }
}

function snapshotOf(w: TabSession): SessionSnapshot {
  return {
    id: w.id,
    peer: w.peer,
    accounts: [...w.accounts],
    chains: [...w.chains],
    methods: [...w.methods],
    events: [...w.events],
    chainId: w.chainId,
    expiresAt: w.expiresAt,
  }
}

function deferred0<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}
