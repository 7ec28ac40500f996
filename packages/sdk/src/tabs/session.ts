import { EventEmitter } from 'eventemitter3'
import type { Eip1193Provider } from '../dapp/eip1193.js'
import { createProvider } from '../dapp/provider.js'
import type { DappSession, DappSessionEvents } from '../dapp/types.js'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { ProviderRpcError } from '../errors/provider.js'
import type { Metadata } from '../protocol/payloads.js'
import type { RelayedEvent, SessionSnapshot, WireError } from './messages.js'

/** Where a tab's session sends its requests: the real session (leader) or the leader (follower). */
export type SessionBackend = {
  request(id: string, method: string, params: unknown): Promise<unknown>
  disconnect(id: string, message?: string): Promise<void>
}

/** A request error as it crossed the channel: the provider error it was, or a PairlineError. */
export function fromWire(e: WireError): PairlineError<ErrorCode | number> {
  if (typeof e.code === 'number') return new ProviderRpcError(e.code, e.message, { data: e.data })
  return new PairlineError(e.code as ErrorCode, e.message)
}

/**
 * The session one tab sees: the same in every tab of the dApp, whichever tab holds the channel
 * to the wallet. Its fields follow the leader's events; `request` and `disconnect` go to the
 * backend, which is swapped (not the object) when this tab becomes the leader.
 */
export class TabSession extends EventEmitter<DappSessionEvents> implements DappSession {
  readonly id: string
  readonly peer: Metadata
  accounts: readonly `0x${string}`[]
  chains: readonly string[]
  methods: readonly string[]
  events: readonly string[]
  chainId: string
  expiresAt: number
  ended = false
  readonly provider: Eip1193Provider
  backend: SessionBackend

  constructor(
    snap: SessionSnapshot,
    backend: SessionBackend,
    rpcUrls: Readonly<Record<string, string>>,
    invoker: string,
  ) {
    super()
    this.id = snap.id
    this.peer = snap.peer
    this.accounts = snap.accounts
    this.chains = snap.chains
    this.methods = snap.methods
    this.events = snap.events
    this.chainId = snap.chainId
    this.expiresAt = snap.expiresAt
    this.backend = backend
    this.provider = createProvider(this, rpcUrls, invoker)
  }

  /** Takes the leader's view of the session and tells this tab's listeners what changed. */
  apply(name: RelayedEvent, arg: unknown, snap: SessionSnapshot): void {
    if (this.ended) return
    this.accounts = snap.accounts
    this.chainId = snap.chainId
    this.expiresAt = snap.expiresAt
    if (name === 'disconnect') this.ended = true
    ;(this.emit as (event: string, arg: unknown) => boolean)(name, arg)
  }

  request(method: string, params?: unknown): Promise<unknown> {
    if (this.ended) return Promise.reject(new ProviderRpcError(4900, 'The session has ended.'))
    return this.backend.request(this.id, method, params ?? [])
  }

  disconnect(message?: string): Promise<void> {
    if (this.ended) return Promise.resolve()
    return this.backend.disconnect(this.id, message)
  }
}

export const closedTab = (what: string) =>
  new PairlineError(ErrorCode.SessionClosed, `The tab that held ${what} was closed.`)
