import { keccak256 } from 'viem'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import type { RpcErrorBody, RpcRequest } from '../messages/bodies.js'
import type { Body } from '../messages/envelope.js'
import type { Metadata } from '../protocol/payloads.js'
import type { Timers } from '../util/timers.js'
import { answerError, asPairlineError, expiredAnswer, unknownAnswer } from './answers.js'
import { type Entry, type JournalRecord, RequestJournal, type StoredRequest } from './journal.js'
import type { RequestOutcome, UnresolvedRequest, WalletRequest } from './types.js'
import type { RequestView } from './view/types.js'

type Hex = `0x${string}`
/** What the wallet does with a request: show its view, or answer it at once (a read-only query). */
export type Inspected = { view: RequestView } | { answer: () => Promise<unknown> }
type Answer = { result: unknown } | { error: RpcErrorBody }

/** What the requests need of their session. */
export type RequestHost = {
  now(): number
  readonly timers: Timers
  readonly peer: Metadata
  ended(): boolean
  endedError(): PairlineError<ErrorCode | number>
  persist(): Promise<boolean>
  send(body: Body, alongside: () => void): Promise<number>
  /**
   * The request's view (§14.6), or an answer given without the user (a query), or the error it
   * is refused with before anyone sees it.
   */
  inspect(r: RpcRequest): Inspected
  carryOut(r: RpcRequest, view: RequestView, beforeBroadcast: (raw: Hex) => Promise<void>): Promise<unknown>
  /** After a crash: is this signed transaction on chain (sent again if not)? Throws if unknown. */
  settleTransaction(r: RpcRequest, tx: NonNullable<StoredRequest['tx']>): Promise<Hex>
  show(request: WalletRequest): void
  unresolved(request: UnresolvedRequest): void
}

const rejected: RequestOutcome = { status: 'rejected' }
const tooLarge: RpcErrorBody = { code: RpcCode.Internal, message: 'The answer is too large to send.' }

/**
 * The wallet's side of each request's life (docs/PROTOCOL.md §14.5): written before it is shown,
 * marked executing (written) before the account is asked, the transaction hash written before
 * broadcast, and the answer written with the message that carries it. One decision per request:
 * approve() and reject() return the first call's outcome, however many times and however
 * concurrently they are called.
 */
export class WalletRequests {
  readonly journal: RequestJournal

  constructor(
    stored: Partial<JournalRecord> & { pending?: RpcRequest[] | undefined },
    private readonly h: RequestHost,
  ) {
    this.journal = new RequestJournal(stored)
  }

  /**
   * A request arrived; `written` is the write that recorded it. Shown only once it is on disk, and
   * only if it has a view: otherwise refused (expired, outside the scope, malformed) unseen.
   */
  receive(r: RpcRequest, written: Promise<boolean>): void {
    if (this.journal.has(r.id)) return // shown once
    const e = this.journal.add(r)
    if (this.h.now() >= r.expiresAt) return void this.#respond(e, { error: expiredAnswer })
    if (!this.#view(e)) return
    void written.then((ok) => {
      if (this.journal.get(r.id) !== e || e.decision) return
      if (!ok) return void this.#decide(e, () => this.#fail(e, storageFailed()))
      this.#show(e)
    })
  }

  /** After a restart: requests waiting for the user are shown again; unfinished ones settled. */
  replay(): void {
    for (const e of this.journal.entries('pending')) this.#show(e)
  }

  recover(): void {
    for (const e of this.journal.entries('executing')) void this.#decide(e, () => this.#recoverOne(e))
  }

  pending(): WalletRequest[] {
    return this.journal
      .entries('pending')
      .filter((e) => e.view)
      .map((e) => this.#handle(e))
  }

  release(ended: boolean): void {
    for (const e of [...this.journal.entries('pending'), ...this.journal.entries('executing')]) {
      this.h.timers.clearTimeout(e.timer)
      if (ended) e.decision ??= Promise.resolve({ status: 'ended', error: this.h.endedError() })
    }
  }

  /** Builds the entry's view; false (and the request refused, unseen) if it has none. */
  #view(e: Entry): boolean {
    if (e.view) return true
    let inspected: Inspected
    try {
      inspected = this.h.inspect(e.req)
    } catch (err) {
      void this.#decide(e, () => this.#fail(e, err))
      return false
    }
    if ('view' in inspected) {
      e.view = inspected.view
      return true
    }
    void this.#decide(e, () => this.#answer(e, inspected.answer))
    return false
  }

  /** A query answered without the user (capabilities, a batch's status). */
  async #answer(e: Entry, run: () => Promise<unknown>): Promise<RequestOutcome> {
    let result: unknown
    try {
      result = await run()
    } catch (err) {
      return this.#fail(e, err)
    }
    await this.#respond(e, { result })
    return { status: 'executed', result }
  }

  #show(e: Entry): void {
    if (this.h.now() >= e.req.expiresAt) return void this.#decide(e, () => this.#expire(e))
    if (!this.#view(e)) return
    e.timer = this.h.timers.setTimeout(
      () => void this.#decide(e, () => this.#expire(e)),
      (e.req.expiresAt - this.h.now()) * 1000,
    )
    this.h.show(this.#handle(e))
  }

  #handle(e: Entry): WalletRequest {
    const { id, method, params, chainId, expiresAt } = e.req
    return {
      id,
      method,
      view: e.view as RequestView,
      params,
      chainId,
      expiresAt,
      peer: this.h.peer,
      approve: () => this.#decide(e, () => this.#approve(e)),
      reject: (message = 'The user rejected the request.') =>
        this.#decide(e, async () => {
          await this.#respond(e, { error: { code: RpcCode.UserRejected, message } })
          return rejected
        }),
    }
  }

  /** The first decision wins; every later call gets its outcome. */
  #decide(e: Entry, run: () => Promise<RequestOutcome>): Promise<RequestOutcome> {
    if (e.decision) return e.decision
    this.h.timers.clearTimeout(e.timer)
    if (this.h.ended()) e.decision = Promise.resolve({ status: 'ended', error: this.h.endedError() })
    else e.decision = run().catch((err) => ({ status: 'failed', error: asPairlineError(err) }))
    return e.decision
  }

  async #approve(e: Entry): Promise<RequestOutcome> {
    if (this.h.now() >= e.req.expiresAt) return this.#expire(e)
    e.state = 'executing'
    if (!(await this.h.persist())) return this.#fail(e, storageFailed())
    let result: unknown
    try {
      result = await this.h.carryOut(e.req, e.view as RequestView, async (raw) => {
        e.tx = { hash: keccak256(raw), raw }
        if (!(await this.h.persist())) throw storageFailed()
      })
    } catch (err) {
      return this.#fail(e, err)
    }
    await this.#respond(e, { result })
    return { status: 'executed', result }
  }

  async #expire(e: Entry): Promise<RequestOutcome> {
    await this.#respond(e, { error: expiredAnswer })
    const error = new ProviderRpcError(RpcCode.RequestExpired, 'The request expired before it was approved.')
    return { status: 'expired', error }
  }

  async #fail(e: Entry, err: unknown): Promise<RequestOutcome> {
    await this.#respond(e, { error: answerError(err) })
    return { status: 'failed', error: asPairlineError(err) }
  }

  /** A request found executing after a restart: the transaction looked up, or "unknown". */
  async #recoverOne(e: Entry): Promise<RequestOutcome> {
    if (e.tx) {
      try {
        const result = await this.h.settleTransaction(e.req, e.tx)
        await this.#respond(e, { result })
        return { status: 'executed', result }
      } catch {
        // not settled: unknown, below
      }
    }
    await this.#respond(e, { error: unknownAnswer })
    const { id, method, params, chainId } = e.req
    this.h.unresolved({ id, method, params, chainId, peer: this.h.peer })
    const error = new ProviderRpcError(RpcCode.OutcomeUnknown, unknownAnswer.message)
    return { status: 'failed', error }
  }

  /** Sends the answer; the journal change rides in the same write. Undone if it cannot be written. */
  async #respond(e: Entry, answer: Answer): Promise<void> {
    if (this.h.ended()) return
    let taken: Entry | undefined
    // The journal change goes in the very write that holds the answer (never in an earlier one).
    const alongside = () => {
      taken = this.journal.answering(e.req.id) ?? taken
    }
    let seq: number | undefined
    const body = { t: 'res' as const, id: e.req.id, req: e.hash }
    try {
      seq = await this.h.send({ ...body, ...answer }, alongside)
    } catch (err) {
      // A result too large for a frame (a huge signed transaction) is answered with an error.
      if ((err as PairlineError).code === ErrorCode.PayloadTooLarge)
        seq = await this.h.send({ ...body, error: tooLarge }, alongside).catch(() => undefined)
      // Otherwise the write failed (reported by the channel): the record says what it said before.
    }
    this.journal.answered(e.req.id, seq, taken ?? e)
  }
}

const storageFailed = () =>
  new PairlineError(ErrorCode.StorageFailed, 'The request could not be recorded, so it was not carried out.')
