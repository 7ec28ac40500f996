import { EventEmitter } from 'eventemitter3'
import { deferred } from '../core/deferred.js'
import type { DappPairingState, DappSession, Pairing } from '../dapp/types.js'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import type { SessionSnapshot, TabMessage } from './messages.js'
import { closedTab, fromWire, type SessionBackend } from './session.js'

type Pending = { resolve(v: unknown): void; reject(e: unknown): void }

/** A pairing the leader tab runs for this tab: the same face as `dapp.pair()`'s. */
class RemotePairing {
  readonly sas = deferred<string>()
  readonly approved = deferred<DappSession>()
  readonly events = new EventEmitter<{ state: [DappPairingState] }>()
  state: DappPairingState = 'offered'
  uri = ''
  expiresAt = 0
  final = false

  move(state: DappPairingState): void {
    this.state = state
    this.events.emit('state', state)
  }

  fail(err: unknown): void {
    if (this.final) return
    this.final = true
    this.sas.reject(err)
    this.approved.reject(err)
  }
}

/** A follower tab's side: everything goes to the leader over the BroadcastChannel. */
export class Follower implements SessionBackend {
  readonly #post: (m: TabMessage) => void
  readonly #adopt: (snap: SessionSnapshot) => DappSession
  readonly #requests = new Map<string, Pending>()
  readonly #pairings = new Map<string, { p: RemotePairing; started: Pending }>()

  constructor(post: (m: TabMessage) => void, adopt: (snap: SessionSnapshot) => DappSession) {
    this.#post = post
    this.#adopt = adopt
  }

  /** Correlation ids only (the channel is this browser's own); not secrets. */
  #id(): string {
    return crypto.randomUUID()
  }

  request(id: string, method: string, params: unknown): Promise<unknown> {
    const rid = this.#id()
    return new Promise((resolve, reject) => {
      this.#requests.set(rid, { resolve, reject })
      this.#post({ t: 'req', rid, id, method, params })
    })
  }

  async disconnect(id: string, message?: string): Promise<void> {
    this.#post(message === undefined ? { t: 'end', id } : { t: 'end', id, message })
  }

  pair(): Promise<Pairing> {
    const pid = this.#id()
    const p = new RemotePairing()
    const act = (a: 'confirm' | 'reject' | 'cancel') => this.#post({ t: 'pact', pid, act: a })
    const face: Pairing = {
      get uri() {
        return p.uri
      },
      get expiresAt() {
        return p.expiresAt
      },
      sas: p.sas.promise,
      approved: p.approved.promise,
      get state() {
        return p.state
      },
      on: (event, fn) => void p.events.on(event, fn),
      off: (event, fn) => void p.events.off(event, fn),
      confirm() {
        if (p.state === 'offered')
          return Promise.reject(
            new PairlineError(
              ErrorCode.HandshakeWrongState,
              'No wallet has answered yet: there is no code to confirm.',
            ),
          )
        act('confirm')
        return p.approved.promise
      },
      async reject() {
        act('reject')
        await p.approved.promise.catch(() => {})
      },
      cancel: () => act('cancel'),
    }
    return new Promise<Pairing>((resolve, reject) => {
      this.#pairings.set(pid, { p, started: { resolve: () => resolve(face), reject } })
      this.#post({ t: 'pair', pid })
    })
  }

  handle(m: TabMessage): void {
    if (m.t === 'res') {
      const r = this.#requests.get(m.rid)
      this.#requests.delete(m.rid)
      if (m.error) r?.reject(fromWire(m.error))
      else r?.resolve(m.result)
      return
    }
    if (!('pid' in m)) return
    const entry = this.#pairings.get(m.pid)
    if (!entry) return
    const { p, started } = entry
    if (m.t === 'pairing') {
      p.uri = m.uri
      p.expiresAt = m.expiresAt
      started.resolve(undefined)
    } else if (m.t === 'pstate') p.move(m.state)
    else if (m.t === 'psas') p.sas.resolve(m.sas)
    else if (m.t === 'pok') {
      this.#pairings.delete(m.pid)
      p.final = true
      p.approved.resolve(this.#adopt(m.snap))
    } else if (m.t === 'perr') {
      this.#pairings.delete(m.pid)
      const err = fromWire(m.error)
      started.reject(err)
      p.fail(err)
    }
  }

  /** The leader is gone (this tab takes over): what was in flight there has an unknown outcome. */
  failAll(): void {
    for (const r of this.#requests.values())
      r.reject(
        new ProviderRpcError(
          RpcCode.OutcomeUnknown,
          'The tab that sent this request to the wallet was closed.',
        ),
      )
    this.#requests.clear()
    for (const { p, started } of this.#pairings.values()) {
      started.reject(closedTab('this pairing'))
      p.fail(closedTab('this pairing'))
    }
    this.#pairings.clear()
  }
}
