import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import type { RpcErrorBody, RpcResponse } from '../messages/bodies.js'
import type { Timers } from '../util/timers.js'

/** A request the dApp sent and has no answer to yet: what its record keeps (§14.5). */
export type Outstanding = {
  id: string
  /** the hash its answer must carry */
  hash: string
  method: string
  expiresAt: number
  /**
   * The answer, in records written before answers were told as they arrive (the request then
   * left the record in a second write): told after the restart. Never written any more.
   */
  answer?: { result?: unknown; error?: RpcErrorBody }
}

/** What the app is told of an answer no caller waits for. */
export type LateAnswer = { id: string; result?: unknown; error?: RpcErrorBody }

type Caller = {
  resolve: (v: unknown) => void
  reject: (e: unknown) => void
  timer: unknown
  /** our seq for it, once sent; `delivered` once the wallet acknowledged that seq */
  seq?: number
  delivered?: boolean
}

/** How long after a request's expiry the dApp waits for the wallet's answer before "unknown". */
export const ANSWER_GRACE_SECONDS = 30
/** How long an unanswered request is remembered (a late answer is still matched and reported). */
const FORGET_AFTER_SECONDS = 86_400

/**
 * The dApp's outstanding requests and the callers waiting for them. An answer is matched by id
 * and by the hash of the request; a caller gets its own request's answer, or 8001 (outcome
 * unknown) when none came by expiry + grace, never another request's.
 */
export class DappRequests {
  readonly #open = new Map<string, Outstanding>()
  readonly #callers = new Map<string, Caller>()

  constructor(
    stored: readonly Outstanding[],
    private readonly now: () => number,
    private readonly timers: Timers,
    private readonly graceSeconds = ANSWER_GRACE_SECONDS,
  ) {
    for (const o of stored) this.#open.set(o.id, { ...o })
  }

  list(): Outstanding[] {
    return [...this.#open.values()].map((o) => ({ ...o }))
  }

  /** The caller's promise for `o`; `o` joins the record only with `track`, in the write that sends it. */
  open(o: Outstanding): Promise<unknown> {
    this.#forgetOld()
    const answer = new Promise<unknown>((resolve, reject) => {
      const ms = (o.expiresAt + this.graceSeconds - this.now()) * 1000
      const timer = this.timers.setTimeout(() => this.#unknown(o.id), ms)
      this.#callers.set(o.id, { resolve, reject, timer })
    })
    answer.catch(() => {}) // settled while the write is still pending: the caller gets it later
    return answer
  }

  track(o: Outstanding): void {
    this.#open.set(o.id, o)
  }

  /** The write or send failed: nothing was sent, the request is forgotten. */
  drop(id: string, error: unknown): void {
    this.#open.delete(id)
    this.#settle(id)?.reject(error)
  }

  sent(id: string, seq: number): void {
    const c = this.#callers.get(id)
    if (c) c.seq = seq
  }

  /** The wallet's cumulative ack reached `ack`. */
  acked(ack: number): void {
    for (const c of this.#callers.values()) if (c.seq !== undefined && c.seq <= ack) c.delivered = true
  }

  /** The outstanding request this answer belongs to, if its id and hash match one. */
  match(r: RpcResponse): Outstanding | undefined {
    const o = this.#open.get(r.id)
    return o && o.hash === r.req ? o : undefined
  }

  /** A matched answer: the request is done; tells the caller, or returns it for a `response` event. */
  answer(r: RpcResponse): LateAnswer | undefined {
    const o = this.#open.get(r.id)
    if (!o) return undefined
    o.answer = r.error ? { error: r.error } : { result: r.result }
    return this.deliver(r.id)
  }

  /** Tells the caller, or returns the answer for a `response` event; the request is done. */
  deliver(id: string): LateAnswer | undefined {
    const o = this.#open.get(id)
    const a = o?.answer
    if (!a) return undefined
    this.#open.delete(id)
    const c = this.#settle(id)
    if (!c) return { id, ...a }
    if (a.error) c.reject(new ProviderRpcError(a.error.code, a.error.message, { data: a.error.data }))
    else c.resolve(a.result)
    return undefined
  }

  /** Answers stored before a restart (by an earlier version) and not yet told to the app. */
  stored(): string[] {
    return [...this.#open.values()].filter((o) => o.answer).map((o) => o.id)
  }

  /**
   * The session ended, or was suspended (the record keeps the requests: a restored session reports
   * their answers as `response` events). Waiting callers learn the outcome is unknown.
   */
  release(ended: boolean): void {
    const why = ended
      ? 'The session ended before the wallet answered.'
      : 'The dApp client was closed before the wallet answered.'
    for (const id of [...this.#callers.keys()]) {
      const c = this.#settle(id)
      c?.reject(outcomeUnknown(why, c.delivered))
    }
    if (ended) this.#open.clear()
  }

  #unknown(id: string): void {
    const c = this.#settle(id)
    c?.reject(outcomeUnknown('The wallet did not answer before the request expired.', c.delivered))
  }

  #settle(id: string): Caller | undefined {
    const c = this.#callers.get(id)
    if (!c) return undefined
    this.timers.clearTimeout(c.timer)
    this.#callers.delete(id)
    return c
  }

  #forgetOld(): void {
    const now = this.now()
    for (const [id, o] of this.#open)
      if (o.expiresAt + FORGET_AFTER_SECONDS < now && !this.#callers.has(id)) this.#open.delete(id)
  }
}

/** 8001: sent, and whether the wallet carried it out is not known (§14.5). */
function outcomeUnknown(why: string, delivered: boolean | undefined): ProviderRpcError {
  return new ProviderRpcError(RpcCode.OutcomeUnknown, `${why} It may or may not have been carried out.`, {
    details: delivered
      ? 'the wallet acknowledged receiving it; a late answer arrives as a `response` event'
      : 'the wallet has not acknowledged it; a late answer arrives as a `response` event',
  })
}
