import type { Account, Transport } from 'viem'
import type { Channel } from '../channel/channel.js'
import type { ChannelState } from '../channel/state.js'
import {
  BaseSession,
  type SessionContext,
  type SessionInit,
  type SessionRecord,
} from '../core/baseSession.js'
import { expiryRefused, latestExpiry } from '../core/lifetime.js'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import { asRequest, type RpcRequest } from '../messages/bodies.js'
import { toCaip2 } from '../messages/caip.js'
import type { SessionMessage } from '../messages/envelope.js'
import type { AccountSet } from './accounts.js'
import { type Batch, BatchStore } from './batches.js'
import type { JournalRecord } from './journal.js'
import { type RequestHost, WalletRequests } from './requests.js'
import { carryOutView, inspectRequest, type ServeHost } from './serve.js'
import { settleTransaction } from './settle.js'
import type { UnresolvedRequest, WalletRequest, WalletSession, WalletSessionEvents } from './types.js'

/** What a wallet session persists next to its channel state. */
export type WalletSessionRecord = SessionRecord &
  Partial<JournalRecord> & {
    channel: ChannelState
    relayUrl: string
    /** records written before the journal: the requests waiting for the user */
    pending?: RpcRequest[]
    /** wallet_sendCalls batches, for wallet_getCallsStatus (§14.6) */
    batches?: Batch[]
  }

export type WalletSessionContext = SessionContext & {
  accounts: AccountSet
  transports: Readonly<Record<string, Transport>>
}

type Replayed = 'request' | 'outcomeUnknown'

/** The wallet side of a live session (the WalletSession interface is its public face). */
export class WalletSessionImpl extends BaseSession<WalletSessionEvents> implements WalletSession {
  protected readonly defaultDisconnectMessage = 'The wallet ended the session.'
  readonly #ctx: WalletSessionContext
  readonly #relayUrl: string
  readonly #requests: WalletRequests
  readonly #batches: BatchStore
  /** Restored requests wait for the first listener of their event. */
  readonly #held: { request: WalletRequest[]; outcomeUnknown: UnresolvedRequest[] } = {
    request: [],
    outcomeUnknown: [],
  }
  #restoring: boolean

  constructor(
    channel: Channel,
    init: SessionInit &
      Partial<JournalRecord> & {
        relayUrl: string
        pending?: RpcRequest[] | undefined
        batches?: Batch[] | undefined
      },
    ctx: WalletSessionContext,
  ) {
    super(channel, init, ctx, 'The dApp ended the session.')
    this.#ctx = ctx
    this.#relayUrl = init.relayUrl
    this.#batches = new BatchStore(init.batches)
    this.#requests = new WalletRequests(init, this.#host())
    // Pruned in memory; the next write holds it (an ack is not written by itself, §14.5).
    channel.on('acked', (ack) => this.#requests.journal.prune(ack))
    this.#restoring = true
    this.#requests.replay()
    this.#requests.recover()
    this.#restoring = false
  }

  #host(): RequestHost {
    return {
      now: () => this.ctx.now(),
      timers: this.ctx.timers,
      peer: this.peer,
      ended: () => this.life.ended,
      endedError: () => this.life.endedError(),
      persist: () => this.persist(),
      send: (body, alongside) => this.channel.send(body, alongside),
      inspect: (r) => inspectRequest(r, this.#serve()),
      carryOut: (r, view, beforeBroadcast) => carryOutView(r, view, this.#serve(), beforeBroadcast),
      settleTransaction: (r, tx) => settleTransaction(this.#ctx.transports[r.chainId], tx),
      show: (request) => this.#emitOrHold('request', request),
      unresolved: (request) => this.#emitOrHold('outcomeUnknown', request),
    }
  }

  #serve(): ServeHost {
    return {
      methods: this.methods,
      chains: this.chains,
      chainId: this.chainId,
      accounts: this.accounts,
      transports: this.#ctx.transports,
      batches: this.#batches,
      signers: () => this.accounts.map((a) => this.#ctx.accounts.find(a)).filter((a): a is Account => !!a),
      persist: () => this.persist(),
      switchChain: (chainId) => this.switchChain(chainId),
    }
  }

  /** Events for restored requests wait for a listener (restoreSessions() returns before it exists). */
  #emitOrHold<E extends Replayed>(event: E, value: WalletSessionEvents[E][0]): void {
    if (this.#restoring || this.listenerCount(event) === 0) (this.#held[event] as unknown[]).push(value)
    else (this.emit as (e: E, v: unknown) => boolean)(event, value)
  }

  // Held events go to the first listener of their kind, whenever it is attached.
  override on<E extends keyof WalletSessionEvents>(
    event: E,
    fn: (...a: WalletSessionEvents[E]) => void,
    ctx?: unknown,
  ): this {
    super.on(event, fn as never, ctx)
    this.#flush(event)
    return this
  }

  override once<E extends keyof WalletSessionEvents>(
    event: E,
    fn: (...a: WalletSessionEvents[E]) => void,
    ctx?: unknown,
  ): this {
    super.once(event, fn as never, ctx)
    this.#flush(event)
    return this
  }

  #flush(event: keyof WalletSessionEvents): void {
    if (event !== 'request' && event !== 'outcomeUnknown') return
    const held = this.#held[event].splice(0)
    if (held.length === 0) return
    queueMicrotask(() => {
      for (const v of held) (this.emit as (e: string, v: unknown) => boolean)(event, v)
    })
  }

  get pendingRequests(): WalletRequest[] {
    return this.#requests.pending()
  }

  record(): Omit<WalletSessionRecord, 'channel'> {
    return {
      ...this.baseRecord(),
      relayUrl: this.#relayUrl,
      ...this.#requests.journal.record(),
      batches: this.#batches.record(),
    }
  }

  protected release(ended: boolean): void {
    this.#requests.release(ended)
  }

  protected onMessage(m: SessionMessage): void {
    if (m.t === 'req') this.#requests.receive(asRequest(m), this.channel.receiptWritten)
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
    if (!Number.isSafeInteger(seconds) || seconds < 1)
      throw new PairlineError(
        ErrorCode.InvalidArgument,
        'extend() takes a whole number of seconds above 0.',
        {
          details: `got ${String(seconds)}`,
        },
      )
    const now = this.ctx.now()
    const expiresAt = Math.floor(now) + seconds
    if (expiresAt > latestExpiry(now)) throw expiryRefused('The new expiry', expiresAt, latestExpiry(now))
    this.expiresAt = expiresAt
    this.life.rearm()
    await this.channel.send({ t: 'extend', expiresAt: this.expiresAt })
  }

  async ping(): Promise<void> {
    await this.channel.send({ t: 'ping' })
  }
}
