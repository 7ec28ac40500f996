import { EventEmitter } from 'eventemitter3'
import type { Account, Transport } from 'viem'
import type { PairlineError } from '../errors/base.js'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import type { Metadata } from '../protocol/payloads.js'
import { type Approve, asRequest, chainNumber, type Request } from '../session/bodies.js'
import type { Channel } from '../session/channel.js'
import { SessionLifecycle } from '../session/lifecycle.js'
import type { SessionMessage } from '../session/messages.js'
import type { ChannelState } from '../session/state.js'
import { softTimeout } from '../util/timers.js'
import { execute } from './sign.js'

/** A request from the dApp, shown to the user, who approves (the account signs) or rejects it. */
export type WalletRequest = {
  id: number
  method: string
  params: unknown
  /** CAIP-2 chain the dApp addressed */
  chainId: string
  /** unix seconds; after it the request is answered "expired" and cannot be approved */
  expiresAt: number
  /** The dApp's self-declared metadata (unverified). */
  dapp: Metadata
  /** Signs / sends with the wallet's account and answers the dApp; resolves with the result. */
  approve(): Promise<unknown>
  /** Answers the dApp with EIP-1193 error 4001 (user rejected). */
  reject(message?: string): Promise<void>
}

export type WalletSessionEvents = {
  request: [WalletRequest]
  disconnect: [{ code: number; message: string }]
  error: [PairlineError]
}

export type WalletSessionRecord = {
  v: 1
  channel: ChannelState
  dapp: Metadata
  approve: Approve
  chainId: string
  expiresAt: number
  pending: Request[]
}

export type WalletSessionContext = {
  account: Account
  transports: Record<string, Transport>
  now: () => number
  forget: (id: string) => Promise<void>
}

/** The wallet's side of a live session. */
export class WalletSession extends EventEmitter<WalletSessionEvents> {
  readonly id: string
  readonly dapp: Metadata
  accounts: readonly string[]
  readonly chains: readonly string[]
  readonly methods: readonly string[]
  chainId: string
  expiresAt: number
  readonly #channel: Channel
  readonly #ctx: WalletSessionContext
  readonly #approve: Approve
  readonly #pending = new Map<number, Request>()
  readonly #answered = new Set<number>()
  /** expiry timer of each pending request */
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>()
  readonly #life: SessionLifecycle

  constructor(
    channel: Channel,
    init: { dapp: Metadata; approve: Approve; chainId?: string; expiresAt?: number; pending?: Request[] },
    ctx: WalletSessionContext,
  ) {
    super()
    this.#channel = channel
    this.#ctx = ctx
    this.#approve = init.approve
    this.id = channel.state().sessionId
    this.dapp = init.dapp
    this.accounts = init.approve.accounts
    this.chains = init.approve.chains
    this.methods = init.approve.methods
    this.chainId = init.chainId ?? init.approve.chainId
    this.expiresAt = init.expiresAt ?? init.approve.expiresAt
    this.#life = new SessionLifecycle({
      channel,
      now: ctx.now,
      expiresAt: () => this.expiresAt,
      forget: () => ctx.forget(this.id),
      onMessage: (m) => this.#onMessage(m),
      onError: (e) => this.emit('error', e),
      onDisconnect: (d) => this.emit('disconnect', d),
      release: (ended) => {
        for (const t of this.#timers.values()) clearTimeout(t)
        this.#timers.clear()
        if (ended) this.#pending.clear()
      },
      peerEnded: 'The dApp ended the session.',
    })
    // Requests that were waiting for the user before a restart are shown again, once listeners exist.
    for (const r of init.pending ?? []) this.#pending.set(r.id, r)
    this.#replay = this.#pending.size > 0
  }

  #replay: boolean

  // Restored pending requests are shown to the first 'request' listener, whenever it is attached.
  override on<E extends keyof WalletSessionEvents>(
    event: E,
    fn: (...args: WalletSessionEvents[E]) => void,
    context?: unknown,
  ): this {
    super.on(event, fn as never, context)
    if (event === 'request' && this.#replay) {
      this.#replay = false
      queueMicrotask(() => this.#replayPending())
    }
    return this
  }

  override once<E extends keyof WalletSessionEvents>(
    event: E,
    fn: (...args: WalletSessionEvents[E]) => void,
    context?: unknown,
  ): this {
    super.once(event, fn as never, context)
    if (event === 'request' && this.#replay) {
      this.#replay = false
      queueMicrotask(() => this.#replayPending())
    }
    return this
  }

  get ended(): boolean {
    return this.#life.ended
  }

  /** Requests waiting for the user. */
  get pendingRequests(): WalletRequest[] {
    return [...this.#pending.values()].map((r) => this.#wrap(r))
  }

  record(): WalletSessionRecord {
    return {
      v: 1,
      channel: this.#channel.state(),
      dapp: this.dapp,
      approve: this.#approve,
      chainId: this.chainId,
      expiresAt: this.expiresAt,
      pending: [...this.#pending.values()],
    }
  }

  #replayPending(): void {
    for (const r of this.#pending.values()) {
      if (this.#ctx.now() >= r.expiresAt) void this.#expire(r)
      else this.emit('request', this.#wrap(r))
    }
  }

  #onMessage(m: SessionMessage): void {
    if (m.t === 'req') this.#onRequest(asRequest(m))
  }

  #onRequest(r: Request): void {
    if (this.#pending.has(r.id) || this.#answered.has(r.id)) return // shown once
    if (this.#ctx.now() >= r.expiresAt) {
      // Never shown: a request that arrives after its expiry is answered and dropped.
      void this.#respond(r.id, { error: { code: RpcCode.RequestExpired, message: 'The request expired.' } })
      return
    }
    if (!this.methods.includes(r.method)) {
      void this.#respond(r.id, {
        error: { code: RpcCode.Unauthorized, message: `${r.method} is not approved.` },
      })
      return
    }
    if (!this.chains.includes(r.chainId)) {
      void this.#respond(r.id, {
        error: { code: RpcCode.UnrecognizedChain, message: `${r.chainId} is not approved.` },
      })
      return
    }
    this.#pending.set(r.id, r)
    void this.#channel.persist()
    this.#timers.set(
      r.id,
      softTimeout(() => this.#pending.has(r.id) && this.#expire(r), (r.expiresAt - this.#ctx.now()) * 1000),
    )
    this.emit('request', this.#wrap(r))
  }

  #expire(r: Request): Promise<void> {
    return this.#respond(r.id, { error: { code: RpcCode.RequestExpired, message: 'The request expired.' } })
  }

  async #respond(
    id: number,
    answer: { result?: unknown; error?: { code: number; message: string } },
  ): Promise<void> {
    this.#pending.delete(id)
    this.#answered.add(id)
    if (this.#life.ended) return
    await this.#channel.send({ t: 'res', id, ...answer })
  }

  #wrap(r: Request): WalletRequest {
    return {
      id: r.id,
      method: r.method,
      params: r.params,
      chainId: r.chainId,
      expiresAt: r.expiresAt,
      dapp: this.dapp,
      approve: () => this.#approveRequest(r),
      reject: (message = 'The user rejected the request.') =>
        this.#respond(r.id, { error: { code: RpcCode.UserRejected, message } }),
    }
  }

  async #approveRequest(r: Request): Promise<unknown> {
    if (!this.#pending.has(r.id))
      throw new ProviderRpcError(RpcCode.InvalidParams, 'This request was already answered.')
    if (this.#ctx.now() >= r.expiresAt) {
      await this.#expire(r)
      throw new ProviderRpcError(RpcCode.RequestExpired, 'The request expired before it was approved.')
    }
    let result: unknown
    try {
      if (r.method === 'wallet_switchEthereumChain' || r.method === 'wallet_addEthereumChain') {
        result = await this.#switchFromRequest(r)
      } else {
        result = await execute(r.method, r.params, {
          account: this.#ctx.account,
          transport: this.#ctx.transports[r.chainId],
          chainNumber: chainNumber(r.chainId),
        })
      }
    } catch (err) {
      const e = err as { code?: unknown; message?: string; shortMessage?: string }
      const code = typeof e.code === 'number' ? e.code : RpcCode.Internal
      await this.#respond(r.id, {
        error: { code, message: e.shortMessage ?? e.message ?? 'The request failed.' },
      })
      throw err
    }
    await this.#respond(r.id, { result })
    return result
  }

  async #switchFromRequest(r: Request): Promise<null> {
    const p = (Array.isArray(r.params) ? r.params[0] : undefined) as { chainId?: unknown } | undefined
    const target = typeof p?.chainId === 'string' ? `eip155:${Number.parseInt(p.chainId, 16)}` : ''
    if (!this.chains.includes(target)) {
      throw new ProviderRpcError(
        RpcCode.UnrecognizedChain,
        `${target || 'That chain'} is not approved for this session.`,
      )
    }
    if (r.method === 'wallet_switchEthereumChain') await this.switchChain(target)
    return null
  }

  /** Changes the session's current chain and tells the dApp (`chainChanged`). */
  async switchChain(chainId: string): Promise<void> {
    if (!this.chains.includes(chainId))
      throw new ProviderRpcError(RpcCode.UnrecognizedChain, `${chainId} is not approved.`)
    this.chainId = chainId
    await this.#channel.send({ t: 'event', name: 'chainChanged', data: chainId })
  }

  /** Tells the dApp the accounts changed (`accountsChanged`), e.g. the user switched account. */
  async setAccounts(addresses: readonly `0x${string}`[]): Promise<void> {
    await this.#channel.send({ t: 'event', name: 'accountsChanged', data: [...addresses] })
  }

  /** Extends the session by `seconds` from now (both sides enforce the new expiry). */
  async extend(seconds: number): Promise<void> {
    this.expiresAt = Math.floor(this.#ctx.now()) + seconds
    this.#life.rearm()
    await this.#channel.send({ t: 'extend', expiresAt: this.expiresAt })
  }

  async ping(): Promise<void> {
    await this.#channel.send({ t: 'ping' })
  }

  async disconnect(message = 'The wallet ended the session.'): Promise<void> {
    await this.#life.end(RpcCode.Disconnected, message, true)
  }

  /** Stops locally without ending the session, so it can be restored later. */
  suspend(): Promise<void> {
    return this.#life.suspend()
  }
}
