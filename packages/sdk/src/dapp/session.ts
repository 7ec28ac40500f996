import { EventEmitter } from 'eventemitter3'
import { PairlineError } from '../errors/base.js'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import type { Metadata } from '../protocol/payloads.js'
import { type Approve, addressOf, asEvent, asExtend, asResponse } from '../session/bodies.js'
import type { Channel } from '../session/channel.js'
import { SessionLifecycle } from '../session/lifecycle.js'
import type { SessionMessage } from '../session/messages.js'
import type { ChannelState } from '../session/state.js'
import type { Eip1193Provider } from './provider.js'

export type DappSessionEvents = {
  accountsChanged: [readonly `0x${string}`[]]
  chainChanged: [string]
  /** the wallet or this side ended the session; code 4900 as EIP-1193's disconnect */
  disconnect: [{ code: number; message: string }]
  /** expiry extended by the wallet */
  extended: [number]
  /** a response to a request made before a reload (no caller is waiting for it any more) */
  response: [{ id: number; result?: unknown; error?: { code: number; message: string } }]
  error: [PairlineError]
}

/** What a dApp session persists next to its channel state. */
export type DappSessionRecord = {
  v: 1
  channel: ChannelState
  peer: Metadata
  approve: Approve
  chainId: string
  expiresAt: number
  nextId: number
}

export type SessionContext = {
  now: () => number
  requestTtlSeconds: number
  rpcUrls: Record<string, string>
  forget: (id: string) => Promise<void>
}

type Pending = {
  resolve: (v: unknown) => void
  reject: (e: unknown) => void
  timer: ReturnType<typeof setTimeout>
}

/**
 * A dApp's live session with one wallet. `provider` is its EIP-1193 face; `accounts`,
 * `chainId` and `expiresAt` follow the wallet's events.
 */
export class DappSession extends EventEmitter<DappSessionEvents> {
  readonly id: string
  readonly peer: Metadata
  accounts: readonly `0x${string}`[]
  chains: readonly string[]
  methods: readonly string[]
  events: readonly string[]
  chainId: string
  expiresAt: number
  readonly provider: Eip1193Provider
  readonly #channel: Channel
  readonly #ctx: SessionContext
  readonly #approve: Approve
  readonly #pending = new Map<number, Pending>()
  #nextId: number
  readonly #life: SessionLifecycle

  constructor(
    channel: Channel,
    init: { peer: Metadata; approve: Approve; chainId?: string; expiresAt?: number; nextId?: number },
    ctx: SessionContext,
    makeProvider: (s: DappSession) => Eip1193Provider,
  ) {
    super()
    this.#channel = channel
    this.#ctx = ctx
    this.#approve = init.approve
    this.id = channel.state().sessionId
    this.peer = init.peer
    this.accounts = init.approve.accounts.map(addressOf)
    this.chains = init.approve.chains
    this.methods = init.approve.methods
    this.events = init.approve.events
    this.chainId = init.chainId ?? init.approve.chainId
    this.expiresAt = init.expiresAt ?? init.approve.expiresAt
    this.#nextId = init.nextId ?? 1
    this.provider = makeProvider(this)
    this.#life = new SessionLifecycle({
      channel,
      now: ctx.now,
      expiresAt: () => this.expiresAt,
      forget: () => ctx.forget(this.id),
      onMessage: (m) => this.#onMessage(m),
      onError: (e) => this.emit('error', e),
      onDisconnect: (d) => this.emit('disconnect', d),
      release: (ended) => {
        for (const p of this.#pending.values()) {
          clearTimeout(p.timer)
          if (ended) p.reject(this.#life.endedError())
        }
        if (ended) this.#pending.clear()
      },
      peerEnded: 'The wallet ended the session.',
    })
  }

  get ended(): boolean {
    return this.#life.ended
  }

  record(): DappSessionRecord {
    return {
      v: 1,
      channel: this.#channel.state(),
      peer: this.peer,
      approve: this.#approve,
      chainId: this.chainId,
      expiresAt: this.expiresAt,
      nextId: this.#nextId,
    }
  }

  /** Sends a request to the wallet and resolves with its result (or rejects with a ProviderRpcError). */
  async request(method: string, params: unknown): Promise<unknown> {
    if (this.#life.ended) throw this.#life.endedError()
    const id = this.#nextId++
    const expiresAt = Math.floor(this.#ctx.now()) + this.#ctx.requestTtlSeconds
    const result = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(
          new ProviderRpcError(
            RpcCode.RequestExpired,
            'The wallet did not answer before the request expired.',
          ),
        )
      }, this.#ctx.requestTtlSeconds * 1000)
      this.#pending.set(id, { resolve, reject, timer })
    })
    await this.#channel.send({ t: 'req', id, method, params, chainId: this.chainId, expiresAt })
    return result
  }

  #onMessage(m: SessionMessage): void {
    try {
      switch (m.t) {
        case 'res': {
          const r = asResponse(m)
          const p = this.#pending.get(r.id)
          if (!p) {
            this.emit('response', r)
            return
          }
          this.#pending.delete(r.id)
          clearTimeout(p.timer)
          if (r.error) p.reject(new ProviderRpcError(r.error.code, r.error.message, { data: r.error.data }))
          else p.resolve(r.result)
          return
        }
        case 'event': {
          const e = asEvent(m)
          if (e.name === 'accountsChanged' && Array.isArray(e.data)) {
            this.accounts = e.data.filter(
              (a): a is `0x${string}` => typeof a === 'string' && /^0x[0-9a-fA-F]{40}$/.test(a),
            )
            this.emit('accountsChanged', this.accounts)
          } else if (
            e.name === 'chainChanged' &&
            typeof e.data === 'string' &&
            this.chains.includes(e.data)
          ) {
            this.chainId = e.data
            this.emit('chainChanged', e.data)
          }
          void this.#persist()
          return
        }
        case 'extend': {
          this.expiresAt = asExtend(m).expiresAt
          this.#life.rearm()
          void this.#persist()
          this.emit('extended', this.expiresAt)
          return
        }
        default:
          return
      }
    } catch (err) {
      if (err instanceof PairlineError) this.emit('error', err)
    }
  }

  #persist(): Promise<void> {
    return this.#life.ended ? Promise.resolve() : this.#channel.persist()
  }

  /** Ends the session on both sides: tells the wallet, wipes keys, forgets the stored session. */
  async disconnect(message = 'The dApp ended the session.'): Promise<void> {
    await this.#life.end(RpcCode.Disconnected, message, true)
  }

  /** Closes locally (the app is going away) without ending the session: it can be restored. */
  suspend(): Promise<void> {
    return this.#life.suspend()
  }
}
