import { EventEmitter } from 'eventemitter3'
import type { Channel } from '../channel/channel.js'
import type { PairlineError } from '../errors/base.js'
import { RpcCode } from '../errors/provider.js'
import type { Approve } from '../messages/bodies.js'
import { type Address, uniqueAddresses } from '../messages/caip.js'
import type { SessionMessage } from '../messages/envelope.js'
import type { Metadata } from '../protocol/payloads.js'
import type { Timers } from '../util/timers.js'
import { type Disconnect, SessionLifecycle } from './lifecycle.js'

/** How a session starts: from an approval, or from a stored record (later values). */
export type SessionInit = {
  peer: Metadata
  approve: Approve
  accounts?: readonly Address[] | undefined
  chainId?: string | undefined
  expiresAt?: number | undefined
}

/** What both sides store about a session, next to the channel state. */
export type SessionRecord = {
  v: 1
  peer: Metadata
  approve: Approve
  accounts: Address[]
  chainId: string
  expiresAt: number
}

export type BaseSessionEvents = {
  disconnect: [Disconnect]
  error: [PairlineError]
}

export type SessionContext = {
  /** unix seconds */
  now: () => number
  /** The app's `timers` (default setTimeout, unref'd): the session's expiry and its requests' deadlines. */
  timers: Timers
  /** Deletes the stored record. */
  forget: (id: string) => Promise<void>
}

/**
 * What a dApp session and a wallet session share: the approved scope, the peer's metadata, the
 * current accounts and chain, the lifecycle (expiry, close, suspend) and persistence.
 */
export abstract class BaseSession<E extends BaseSessionEvents> extends EventEmitter<E> {
  readonly id: string
  readonly peer: Metadata
  accounts: readonly Address[]
  readonly chains: readonly string[]
  readonly methods: readonly string[]
  readonly events: readonly string[]
  chainId: string
  expiresAt: number
  protected readonly channel: Channel
  protected readonly ctx: SessionContext
  protected readonly life: SessionLifecycle
  readonly #approve: Approve

  constructor(channel: Channel, init: SessionInit, ctx: SessionContext, peerEnded: string) {
    super()
    this.channel = channel
    this.ctx = ctx
    this.#approve = init.approve
    this.id = channel.id
    this.peer = init.peer
    this.accounts = init.accounts ? [...init.accounts] : uniqueAddresses(init.approve.accounts)
    this.chains = init.approve.chains
    this.methods = init.approve.methods
    this.events = init.approve.events
    this.chainId = init.chainId ?? init.approve.chainId
    this.expiresAt = init.expiresAt ?? init.approve.expiresAt
    const emit = this.emit.bind(this) as unknown as (event: keyof BaseSessionEvents, arg: unknown) => boolean
    this.life = new SessionLifecycle({
      channel,
      now: ctx.now,
      timers: ctx.timers,
      expiresAt: () => this.expiresAt,
      forget: () => ctx.forget(this.id),
      onMessage: (m) => this.onMessage(m),
      onError: (e) => emit('error', e),
      onDisconnect: (d) => emit('disconnect', d),
      release: (ended) => this.release(ended),
      peerEnded,
    })
  }

  get ended(): boolean {
    return this.life.ended
  }

  /** The wallet's approval this session was opened with. */
  protected get approval(): Approve {
    return this.#approve
  }

  /** Disconnected or expired: its record is deleted and must not be written again. */
  get gone(): boolean {
    return this.life.gone
  }

  /** The fields both sides persist; subclasses add their own. */
  protected baseRecord(): SessionRecord {
    return {
      v: 1,
      peer: this.peer,
      approve: this.#approve,
      accounts: [...this.accounts],
      chainId: this.chainId,
      expiresAt: this.expiresAt,
    }
  }

  abstract record(): object
  protected abstract onMessage(m: SessionMessage): void
  /** Releases pending work once, when the session ends (true) or is suspended (false). */
  protected abstract release(ended: boolean): void

  /** Writes the record now; false if the write failed (reported as an `error` event). */
  protected persist(): Promise<boolean> {
    return this.life.ended ? Promise.resolve(false) : this.channel.persist()
  }

  /** Ends the session on both sides: tells the peer, wipes keys, forgets the stored session. */
  async disconnect(message?: string): Promise<void> {
    await this.life.end(RpcCode.Disconnected, message ?? this.defaultDisconnectMessage, true)
  }

  protected abstract readonly defaultDisconnectMessage: string

  /** Stops locally (the app is going away) without ending the session: it can be restored. */
  suspend(): Promise<void> {
    return this.life.suspend()
  }
}
