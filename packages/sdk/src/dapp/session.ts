import type { Channel } from '../channel/channel.js'
import type { ChannelState } from '../channel/state.js'
import {
  BaseSession,
  type SessionContext,
  type SessionInit,
  type SessionRecord,
} from '../core/baseSession.js'
import { PairlineError } from '../errors/base.js'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import { asEvent, asExtend, asResponse, type EventBody, type RpcResponse } from '../messages/bodies.js'
import type { SessionMessage } from '../messages/envelope.js'
import type { Eip1193Provider } from './eip1193.js'
import { createProvider } from './provider.js'
import type { DappSession, DappSessionEvents } from './types.js'

/** What a dApp session persists next to its channel state. */
export type DappSessionRecord = SessionRecord & { nextId: number; channel: ChannelState }

export type DappSessionContext = SessionContext & {
  requestTtlSeconds: number
  rpcUrls: Readonly<Record<string, string>>
}

type Pending = {
  resolve: (v: unknown) => void
  reject: (e: unknown) => void
  timer: ReturnType<typeof setTimeout>
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/

/** The dApp side of a live session (the DappSession interface is its public face). */
export class DappSessionImpl extends BaseSession<DappSessionEvents> implements DappSession {
  readonly provider: Eip1193Provider
  protected readonly defaultDisconnectMessage = 'The dApp ended the session.'
  readonly #ctx: DappSessionContext
  readonly #pending = new Map<number, Pending>()
  #nextId: number

  constructor(
    channel: Channel,
    init: SessionInit & { nextId?: number | undefined },
    ctx: DappSessionContext,
  ) {
    super(channel, init, ctx, 'The wallet ended the session.')
    this.#ctx = ctx
    this.#nextId = init.nextId ?? 1
    this.provider = createProvider(this, ctx.rpcUrls)
  }

  record(): Omit<DappSessionRecord, 'channel'> {
    return { ...this.baseRecord(), nextId: this.#nextId }
  }

  async request(method: string, params: unknown = []): Promise<unknown> {
    if (this.life.ended) throw this.life.endedError()
    const id = this.#nextId++
    const ttl = this.#ctx.requestTtlSeconds
    const expiresAt = Math.floor(this.#ctx.now()) + ttl
    const result = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(
          new ProviderRpcError(
            RpcCode.RequestExpired,
            'The wallet did not answer before the request expired.',
          ),
        )
      }, ttl * 1000)
      this.#pending.set(id, { resolve, reject, timer })
    })
    await this.channel.send({ t: 'req', id, method, params, chainId: this.chainId, expiresAt })
    return result
  }

  protected release(ended: boolean): void {
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer)
      if (ended) p.reject(this.life.endedError())
    }
    if (ended) this.#pending.clear()
  }

  protected onMessage(m: SessionMessage): void {
    try {
      if (m.t === 'res') this.#onResponse(asResponse(m))
      else if (m.t === 'event') this.#onEvent(asEvent(m))
      else if (m.t === 'extend') {
        this.expiresAt = asExtend(m).expiresAt
        this.life.rearm()
        void this.persist()
        this.emit('extended', this.expiresAt)
      }
    } catch (err) {
      if (err instanceof PairlineError) this.emit('error', err)
    }
  }

  #onResponse(r: RpcResponse): void {
    const p = this.#pending.get(r.id)
    if (!p) {
      this.emit('response', r)
      return
    }
    this.#pending.delete(r.id)
    clearTimeout(p.timer)
    if (r.error) p.reject(new ProviderRpcError(r.error.code, r.error.message, { data: r.error.data }))
    else p.resolve(r.result)
  }

  #onEvent(e: EventBody): void {
    if (e.name === 'accountsChanged' && Array.isArray(e.data)) {
      const seen = new Set<string>()
      this.accounts = e.data.filter((a): a is `0x${string}` => {
        if (typeof a !== 'string' || !ADDRESS.test(a) || seen.has(a.toLowerCase())) return false
        seen.add(a.toLowerCase())
        return true
      })
      void this.persist()
      this.emit('accountsChanged', this.accounts)
    } else if (e.name === 'chainChanged' && typeof e.data === 'string' && this.chains.includes(e.data)) {
      this.chainId = e.data
      void this.persist()
      this.emit('chainChanged', e.data)
    }
  }
}
