import type { Account, Transport } from 'viem'
import type { Channel } from '../channel/channel.js'
import type { ChannelState } from '../channel/state.js'
import {
  BaseSession,
  type SessionContext,
  type SessionInit,
  type SessionRecord,
} from '../core/baseSession.js'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import { asRequest, type RpcRequest } from '../messages/bodies.js'
import { chainNumber, toCaip2 } from '../messages/caip.js'
import type { SessionMessage } from '../messages/envelope.js'
import { softTimeout } from '../util/timers.js'
import type { AccountSet } from './accounts.js'
import { execute } from './sign.js'
import type { WalletRequest, WalletSession, WalletSessionEvents } from './types.js'

/** What a wallet session persists next to its channel state. */
export type WalletSessionRecord = SessionRecord & {
  channel: ChannelState
  relayUrl: string
  pending: RpcRequest[]
}

export type WalletSessionContext = SessionContext & {
  accounts: AccountSet
  transports: Readonly<Record<string, Transport>>
}

type Answer = { result?: unknown; error?: { code: number; message: string } }

const expired: Answer = { error: { code: RpcCode.RequestExpired, message: 'The request expired.' } }

/** The wallet side of a live session (the WalletSession interface is its public face). */
export class WalletSessionImpl extends BaseSession<WalletSessionEvents> implements WalletSession {
  protected readonly defaultDisconnectMessage = 'The wallet ended the session.'
  readonly #ctx: WalletSessionContext
  readonly #relayUrl: string
  readonly #pending = new Map<number, RpcRequest>()
  readonly #answered = new Set<number>()
  /** expiry timer of each pending request */
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>()
  #replay: boolean

  constructor(
    channel: Channel,
    init: SessionInit & { relayUrl: string; pending?: RpcRequest[] | undefined },
    ctx: WalletSessionContext,
  ) {
    super(channel, init, ctx, 'The dApp ended the session.')
    this.#ctx = ctx
    this.#relayUrl = init.relayUrl
    // Requests that were waiting for the user before a restart are shown again, once listeners exist.
    for (const r of init.pending ?? []) this.#pending.set(r.id, r)
    this.#replay = this.#pending.size > 0
  }

  // Restored pending requests are shown to the first 'request' listener, whenever it is attached.
  override on<E extends keyof WalletSessionEvents>(
    event: E,
    fn: (...a: WalletSessionEvents[E]) => void,
    ctx?: unknown,
  ): this {
    super.on(event, fn as never, ctx)
    this.#maybeReplay(event)
    return this
  }

  override once<E extends keyof WalletSessionEvents>(
    event: E,
    fn: (...a: WalletSessionEvents[E]) => void,
    ctx?: unknown,
  ): this {
    super.once(event, fn as never, ctx)
    this.#maybeReplay(event)
    return this
  }

  #maybeReplay(event: keyof WalletSessionEvents): void {
    if (event !== 'request' || !this.#replay) return
    this.#replay = false
    queueMicrotask(() => {
      for (const r of this.#pending.values()) {
        if (this.ctx.now() >= r.expiresAt) void this.#respond(r.id, expired)
        else this.emit('request', this.#wrap(r))
      }
    })
  }

  get pendingRequests(): WalletRequest[] {
    return [...this.#pending.values()].map((r) => this.#wrap(r))
  }

  record(): Omit<WalletSessionRecord, 'channel'> {
    return { ...this.baseRecord(), relayUrl: this.#relayUrl, pending: [...this.#pending.values()] }
  }

  protected release(ended: boolean): void {
    for (const t of this.#timers.values()) clearTimeout(t)
    this.#timers.clear()
    if (ended) this.#pending.clear()
  }

  protected onMessage(m: SessionMessage): void {
    if (m.t === 'req') this.#onRequest(asRequest(m))
  }

  #onRequest(r: RpcRequest): void {
    if (this.#pending.has(r.id) || this.#answered.has(r.id)) return // shown once
    // Never shown: a request that arrives after its expiry, or outside the approved scope.
    if (this.ctx.now() >= r.expiresAt) return void this.#respond(r.id, expired)
    if (!this.methods.includes(r.method))
      return void this.#respond(r.id, {
        error: { code: RpcCode.Unauthorized, message: `${r.method} is not approved.` },
      })
    if (!this.chains.includes(r.chainId))
      return void this.#respond(r.id, {
        error: { code: RpcCode.UnrecognizedChain, message: `${r.chainId} is not approved.` },
      })
    // Saved by the channel's one write for this received message (it reads record() after us).
    this.#pending.set(r.id, r)
    const ms = (r.expiresAt - this.ctx.now()) * 1000
    this.#timers.set(
      r.id,
      softTimeout(() => this.#pending.has(r.id) && void this.#respond(r.id, expired), ms),
    )
    this.emit('request', this.#wrap(r))
  }

  async #respond(id: number, answer: Answer): Promise<void> {
    this.#pending.delete(id)
    this.#answered.add(id)
    clearTimeout(this.#timers.get(id))
    this.#timers.delete(id)
    if (this.life.ended) return
    await this.channel.send({ t: 'res', id, ...answer })
  }

  #wrap(r: RpcRequest): WalletRequest {
    return {
      id: r.id,
      method: r.method,
      params: r.params,
      chainId: r.chainId,
      expiresAt: r.expiresAt,
      peer: this.peer,
      approve: () => this.#approveRequest(r),
      reject: (message = 'The user rejected the request.') =>
        this.#respond(r.id, { error: { code: RpcCode.UserRejected, message } }),
    }
  }

  async #approveRequest(r: RpcRequest): Promise<unknown> {
    if (!this.#pending.has(r.id))
      throw new ProviderRpcError(RpcCode.InvalidParams, 'This request was already answered.')
    if (this.ctx.now() >= r.expiresAt) {
      await this.#respond(r.id, expired)
      throw new ProviderRpcError(RpcCode.RequestExpired, 'The request expired before it was approved.')
    }
    let result: unknown
    try {
      result = await this.#carryOut(r)
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

  #carryOut(r: RpcRequest): Promise<unknown> {
    if (r.method === 'wallet_switchEthereumChain' || r.method === 'wallet_addEthereumChain')
      return this.#switchFromRequest(r)
    const accounts = this.accounts.map((a) => this.#ctx.accounts.find(a)).filter((a): a is Account => !!a)
    return execute(r.method, r.params, {
      accounts,
      transport: this.#ctx.transports[r.chainId],
      chainNumber: chainNumber(r.chainId),
    })
  }

  async #switchFromRequest(r: RpcRequest): Promise<null> {
    const p = (Array.isArray(r.params) ? r.params[0] : undefined) as { chainId?: unknown } | undefined
    const target = typeof p?.chainId === 'string' ? `eip155:${Number.parseInt(p.chainId, 16)}` : ''
    if (!this.chains.includes(target))
      throw new ProviderRpcError(
        RpcCode.UnrecognizedChain,
        `${target || 'That chain'} is not approved for this session.`,
      )
    if (r.method === 'wallet_switchEthereumChain') await this.switchChain(target)
    return null
  }

  async switchChain(chainId: number | string): Promise<void> {
    const target = toCaip2(chainId)
    if (!this.chains.includes(target))
      throw new ProviderRpcError(RpcCode.UnrecognizedChain, `${target} is not approved.`)
    this.chainId = target
    await this.channel.send({ t: 'event', name: 'chainChanged', data: target })
  }

  async setAccounts(addresses: readonly `0x${string}`[]): Promise<void> {
    this.accounts = this.#ctx.accounts.resolve(addresses)
    await this.channel.send({ t: 'event', name: 'accountsChanged', data: [...this.accounts] })
  }

  async extend(seconds: number): Promise<void> {
    this.expiresAt = Math.floor(this.ctx.now()) + seconds
    this.life.rearm()
    await this.channel.send({ t: 'extend', expiresAt: this.expiresAt })
  }

  async ping(): Promise<void> {
    await this.channel.send({ t: 'ping' })
  }
}
