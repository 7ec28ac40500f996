import type { Channel } from '../channel/channel.js'
import { checkSendable } from '../channel/outbox.js'
import type { ChannelState } from '../channel/state.js'
import {
  BaseSession,
  type SessionContext,
  type SessionInit,
  type SessionRecord,
} from '../core/baseSession.js'
import { EXPIRY_SKEW_SECONDS, expiryRefused, latestExpiry } from '../core/lifetime.js'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import {
  asEvent,
  asExtend,
  asResponse,
  type EventBody,
  type RpcRequest,
  type RpcResponse,
} from '../messages/bodies.js'
import { chainNumber, uniqueAddresses } from '../messages/caip.js'
import type { SessionMessage } from '../messages/envelope.js'
import { newRequestId, requestHash } from '../messages/requestId.js'
import type { RandomBytes } from '../protocol/random.js'
import type { Eip1193Provider } from './eip1193.js'
import { createProvider } from './provider.js'
import { DappRequests, type LateAnswer, type Outstanding } from './requests.js'
import type { SignIn } from './signIn.js'
import type { DappSession, DappSessionEvents } from './types.js'

/** What a dApp session persists next to its channel state: the requests without an answer. */
export type DappSessionRecord = SessionRecord & { requests?: Outstanding[]; channel: ChannelState }

export type DappSessionContext = SessionContext & {
  requestTtlSeconds: number
  answerGraceSeconds: number
  rpcUrls: Readonly<Record<string, string>>
  random: RandomBytes
  /** the dApp's metadata URL: the invoker of its EIP-2255 permissions */
  invoker: string
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/

/** The dApp side of a live session (the DappSession interface is its public face). */
export class DappSessionImpl extends BaseSession<DappSessionEvents> implements DappSession {
  readonly provider: Eip1193Provider
  protected readonly defaultDisconnectMessage = 'The dApp ended the session.'
  readonly #ctx: DappSessionContext
  readonly #requests: DappRequests
  readonly #held: LateAnswer[] = []
  /** The seq of the last state change applied, per kind: delivery is exactly once, not in order (§14.1). */
  readonly #applied = new Map<string, number>()

  constructor(
    channel: Channel,
    init: SessionInit & { requests?: Outstanding[] | undefined },
    ctx: DappSessionContext,
  ) {
    super(channel, init, ctx, 'The wallet ended the session.')
    this.#ctx = ctx
    this.#requests = new DappRequests(init.requests ?? [], ctx.now, ctx.timers, ctx.answerGraceSeconds)
    channel.on('acked', (ack) => this.#requests.acked(ack))
    for (const id of this.#requests.stored()) this.#deliver(id)
    this.provider = createProvider(this, ctx.rpcUrls, ctx.invoker)
  }

  get signIn(): SignIn | undefined {
    const s = this.approval.signIn
    if (!s) return undefined
    const address = uniqueAddresses(this.approval.accounts)[0] as `0x${string}`
    const chainId = chainNumber(this.approval.chainId)
    return { message: s.message, signature: s.signature as `0x${string}`, address, chainId }
  }

  record(): Omit<DappSessionRecord, 'channel'> {
    return { ...this.baseRecord(), requests: this.#requests.list() }
  }

  /**
   * Sends a request (docs/PROTOCOL.md §14.5): a fresh random id, refused at once if it cannot fit
   * a frame, recorded and written before it is sent. Resolves with the wallet's answer to this
   * request; rejects with the wallet's error, or 8001 when the outcome is unknown.
   */
  async request(method: string, params: unknown = []): Promise<unknown> {
    if (this.life.ended) throw this.life.endedError()
    const expiresAt = Math.floor(this.#ctx.now()) + this.#ctx.requestTtlSeconds
    const body: RpcRequest = {
      t: 'req',
      id: newRequestId(this.#ctx.random),
      method,
      params,
      chainId: this.chainId,
      expiresAt,
    }
    let hash: string
    try {
      checkSendable(body)
      hash = requestHash(body)
    } catch (err) {
      throw notSendable(err as PairlineError)
    }
    const o = { id: body.id, hash, method, expiresAt }
    const answer = this.#requests.open(o)
    try {
      // Recorded in the very write that holds the message (never in an earlier one: a restart
      // would then wait for an answer to a request that was never sent).
      this.#requests.sent(body.id, await this.channel.send(body, () => this.#requests.track(o)))
    } catch (err) {
      this.#requests.drop(body.id, notSent(err as PairlineError, this.life.ended, this.life.endedError()))
    }
    return answer
  }

  protected release(ended: boolean): void {
    this.#requests.release(ended)
  }

  protected onMessage(m: SessionMessage): void {
    try {
      if (m.t === 'res') this.#onResponse(asResponse(m))
      else if (m.t === 'event') {
        const e = asEvent(m)
        if (this.#newer(e.name, m.seq)) this.#onEvent(e)
      } else if (m.t === 'extend') {
        const { expiresAt } = asExtend(m)
        // Checked before the seq is taken: a refused extend changes nothing (§14.2 Session expiry).
        const latest = latestExpiry(this.#ctx.now()) + EXPIRY_SKEW_SECONDS
        if (expiresAt > latest) throw expiryRefused('The wallet’s extend', expiresAt, latest)
        if (!this.#newer('extend', m.seq)) return
        this.expiresAt = expiresAt
        this.life.rearm()
        void this.persist()
        this.emit('extended', this.expiresAt)
      }
    } catch (err) {
      if (err instanceof PairlineError) this.emit('error', err)
    }
  }

  /** An answer reaches only the request it names by id and hash; the app sees it once it is written. */
  #onResponse(r: RpcResponse): void {
    if (!this.#requests.match(r)) {
      this.emit(
        'error',
        new PairlineError(ErrorCode.ResponseMismatch, 'A response matches no request sent; it was dropped.', {
          details: 'the id is unknown, or the request hash differs',
        }),
      )
      return
    }
    // Told at once; the request leaves the record in the channel's write for this message (the
    // one holding its recvSeq: a persist() asked for now joins it), and only after that write is
    // the answer acknowledged. Until then the wallet keeps it and resends it: a crash before the
    // write ends is told again, after the restart, as a `response` event (§14.5).
    this.#tell(this.#requests.answer(r))
  }

  /** An answer written before a restart by an earlier version (kept with its request): told now. */
  #deliver(id: string): void {
    this.#tell(this.#requests.deliver(id))
  }

  #tell(late: LateAnswer | undefined): void {
    void this.persist()
    if (!late) return
    if (this.listenerCount('response') > 0) this.emit('response', late)
    else this.#held.push(late)
  }

  // Answers stored before a restart go to the first 'response' listener, whenever it is attached.
  override on<E extends keyof DappSessionEvents>(
    event: E,
    fn: (...a: DappSessionEvents[E]) => void,
    ctx?: unknown,
  ): this {
    super.on(event, fn as never, ctx)
    this.#flush(event)
    return this
  }

  override once<E extends keyof DappSessionEvents>(
    event: E,
    fn: (...a: DappSessionEvents[E]) => void,
    ctx?: unknown,
  ): this {
    super.once(event, fn as never, ctx)
    this.#flush(event)
    return this
  }

  #flush(event: keyof DappSessionEvents): void {
    if (event !== 'response' || this.#held.length === 0) return
    const held = this.#held.splice(0)
    queueMicrotask(() => {
      for (const a of held) this.emit('response', a)
    })
  }

  /** True if `seq` is newer than the last change of this kind applied (an older one arrived late). */
  #newer(kind: string, seq: number): boolean {
    if (seq <= (this.#applied.get(kind) ?? 0)) return false
    this.#applied.set(kind, seq)
    return true
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

/** A request that can never be sent: too large, or not JSON. Nothing changed. */
function notSendable(err: PairlineError): ProviderRpcError {
  const tooLarge = err.code === ErrorCode.PayloadTooLarge
  return new ProviderRpcError(
    RpcCode.InvalidParams,
    tooLarge ? 'The request is too large to send.' : 'The request parameters are not JSON.',
    { pairlineCode: err.code, details: err.details, cause: err },
  )
}

/** The request could not be written (or the session closed): it was not sent. */
function notSent(err: PairlineError, ended: boolean, endedError: ProviderRpcError): ProviderRpcError {
  if (ended || err.code === ErrorCode.SessionClosed) return endedError
  return new ProviderRpcError(RpcCode.Internal, 'The request could not be saved, so it was not sent.', {
    pairlineCode: err.code === ErrorCode.StorageFailed ? ErrorCode.StorageFailed : ErrorCode.InternalError,
    cause: err,
  })
}
