import type { Channel } from '../channel/channel.js'
import { deferred } from '../core/deferred.js'
import { latestExpiry } from '../core/lifetime.js'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { type AbortReason, type Approve, asAbort } from '../messages/bodies.js'
import { toCaip2, toCaip10 } from '../messages/caip.js'
import type { SessionMessage } from '../messages/envelope.js'
import { toBase64Url } from '../protocol/bytes.js'
import { burnedError } from '../protocol/handshake.js'
import type { Proposal } from '../protocol/payloads.js'
import type { Timers } from '../util/timers.js'
import type { AccountSet } from './accounts.js'
import type { WalletSignIn } from './signIn.js'
import type { ApproveOptions, WalletPairingState, WalletProposal, WalletSession } from './types.js'

export type ProposalContext = {
  channel: Channel
  proposal: Proposal
  sas: string
  /** Chains this wallet serves (CAIP-2). */
  chains: readonly string[]
  accounts: AccountSet
  /** The proposed methods this wallet offers for a session on these chains (§14.6). */
  offer(proposed: readonly string[], chains: readonly string[]): string[]
  timers: Timers
  /** The wallet's clock (unix seconds): caps the proposed expiry (§14.2 Session expiry). */
  now(): number
  confirmTimeoutMs: number
  /** Runs `fn` when the wallet closes; returns the remover. */
  onClose(fn: () => Promise<void>): () => void
  /** Creates and stores the session: called once, when the pairing is verified. */
  openSession(approve: Approve): WalletSession
  /** The dApp's sign-in request as shown (§14.7), and the approval with its signature added. */
  signIn?: WalletSignIn
  sign(answer: Approve): Promise<Approve>
}

/** What the dApp's abort notice means to this wallet's user. */
function abortError(reason: AbortReason): PairlineError {
  if (reason === 'burned') return burnedError()
  if (reason === 'rejected')
    return new PairlineError(
      ErrorCode.UserRejected,
      'The dApp’s user saw another code: nothing was connected.',
    )
  if (reason === 'expired')
    return new PairlineError(
      ErrorCode.PairingExpired,
      'The code was not confirmed on both screens in time: nothing was connected.',
    )
  if (reason === 'sign-in-failed')
    return new PairlineError(
      ErrorCode.SignInFailed,
      'The dApp could not verify the sign-in: nothing was connected.',
      {
        details:
          'the dApp sent abort reason sign-in-failed (docs/PROTOCOL.md §14.7); which check failed only the dApp knows',
      },
    )
  return new PairlineError(
    ErrorCode.PairingCancelled,
    'The dApp cancelled the pairing: nothing was connected.',
  )
}

const MAX_EARLY = 64

/**
 * One pairing on the wallet after the handshake (docs/PROTOCOL.md §5.1): the session exists only
 * once the dApp's `confirm` arrives after this user's approval; an `abort` from the dApp, a
 * `close`, the confirmation deadline or closing the wallet ends it.
 */
class ProposalFlow {
  readonly verified = deferred<WalletSession>()
  state: WalletPairingState = 'handshakeDone'
  ended: PairlineError | null = null
  readonly #c: ProposalContext
  #approve: Approve | null = null
  #decided = false
  #verifying = false
  /** Messages that overtook the dApp's `confirm` (a request): handed to the session. */
  readonly #early: SessionMessage[] = []
  readonly #onMessage = (m: SessionMessage) => this.#receive(m)
  readonly #timer: unknown
  readonly #removeCloser: () => void

  constructor(c: ProposalContext) {
    this.#c = c
    c.channel.on('message', this.#onMessage)
    // Errors are made when they happen, not per pairing: each one captures a stack (issue 16).
    const expired = () =>
      void this.end(
        new PairlineError(ErrorCode.PairingExpired, 'The code was not confirmed on both screens in time.'),
        'The wallet stopped waiting for the confirmation.',
      )
    this.#timer = c.timers.setTimeout(expired, c.confirmTimeoutMs)
    this.#removeCloser = c.onClose(() =>
      this.end(
        new PairlineError(ErrorCode.SessionClosed, 'The wallet client was closed.'),
        'The wallet was closed.',
      ),
    )
  }

  #receive(m: SessionMessage): void {
    if (this.ended || this.state === 'verified') return
    try {
      if (m.t === 'abort') void this.end(abortError(asAbort(m).reason))
      else if (m.t === 'close')
        void this.end(
          new PairlineError(ErrorCode.PairingCancelled, 'The dApp ended the pairing: nothing was connected.'),
        )
      else if (m.t === 'confirm') this.#verify()
      else if (this.#early.length < MAX_EARLY) this.#early.push(m)
    } catch {
      // A malformed notice from the authenticated dApp is ignored; the deadline still holds.
    }
  }

  #stop(): void {
    this.#c.timers.clearTimeout(this.#timer)
    this.#c.channel.off('message', this.#onMessage)
    this.#removeCloser()
  }

  /**
   * The dApp confirmed: the session is stored before anything else happens (§5.1, §14.5). Later
   * frames wait (unhandled, unacknowledged) until that write lands, so a request that arrives with
   * the confirm is never in the session's first write, and `verified` means "stored".
   */
  #verify(): void {
    if (!this.#approve || this.state !== 'walletConfirmed' || this.#verifying) return // before our approval: ignored
    this.#verifying = true
    this.#stop()
    const { channel } = this.#c
    const release = channel.hold()
    const session = this.#c.openSession(this.#approve)
    // Messages that overtook the confirm join the session now; the confirm's receipt write, queued
    // before this ran, holds them, and the session shows them only once it has landed.
    for (const m of this.#early.splice(0)) channel.emit('message', m)
    void channel.persist().then(async (stored) => {
      if (stored) {
        this.state = 'verified'
        this.verified.resolve(session)
      } else await this.#unstored(session)
      release()
    })
  }

  /** The verified session could not be written: nothing is connected, and the dApp is told. */
  async #unstored(session: WalletSession): Promise<void> {
    const err = new PairlineError(
      ErrorCode.StorageFailed,
      'The session could not be stored on this wallet: nothing was connected.',
    )
    this.ended = err
    this.state = 'failed'
    this.verified.reject(err)
    const message = 'The wallet could not store the session.'
    this.#c.channel.sendUnreliable({ t: 'close', code: 4900, message }) // a reliable one needs a write
    await session.disconnect(message)
  }

  /** Ends the pairing before verification; `tell`: a close message for the dApp. */
  async end(err: PairlineError, tell?: string): Promise<void> {
    if (this.state === 'verified' || this.#verifying || this.ended) return
    this.ended = err
    this.state = err.code === ErrorCode.PairingBurned ? 'burned' : 'failed'
    this.#stop()
    this.verified.reject(err)
    const { channel } = this.#c
    if (tell) await channel.send({ t: 'close', code: 4900, message: tell }).catch(() => {})
    await channel.close()
  }

  #decide(): void {
    if (this.ended) throw this.ended
    if (this.#decided)
      throw new PairlineError(ErrorCode.HandshakeWrongState, 'This proposal was already answered.')
    this.#decided = true
  }

  async approve(o: ApproveOptions): Promise<WalletSession> {
    if (this.ended) throw this.ended
    const unsigned = approval(this.#c, o) // throws before deciding: the user can correct and approve again
    const answer = 'missing' in unsigned ? unsigned : await this.#c.sign(unsigned) // sign-in, if asked
    this.#decide()
    const { channel } = this.#c
    if ('missing' in answer) {
      const missing = answer.missing.join(', ')
      const err = new PairlineError(
        ErrorCode.UnsupportedMethod,
        'The dApp requires chains this wallet does not serve.',
        {
          details: missing,
        },
      )
      await channel.send({
        t: 'reject',
        code: 5100,
        message: `unsupported chains: ${answer.missing.join(',')}`,
      })
      await this.end(err)
      throw err
    }
    this.#approve = answer
    this.state = 'walletConfirmed'
    await channel.send(answer).catch((err) => {
      if (!this.ended) throw err // else: the pairing ended meanwhile, and `verified` says why
    })
    return this.verified.promise
  }

  async reject(reason: string): Promise<void> {
    this.#decide()
    await this.#c.channel.send({ t: 'reject', code: 4001, message: reason })
    await this.end(new PairlineError(ErrorCode.UserRejected, 'The pairing was rejected on this wallet.'))
  }
}

/** The proposal as the wallet's user sees it, answered once: approve (narrowed) or reject. */
export function walletProposal(context: ProposalContext): WalletProposal {
  // The wallet never approves more than the longest session from the proposal's arrival: a
  // proposal beyond it is narrowed (the approval may shorten, never lengthen).
  const expiresAt = Math.min(context.proposal.expiresAt, latestExpiry(context.now()))
  const c = { ...context, proposal: { ...context.proposal, expiresAt } }
  const flow = new ProposalFlow(c)
  const { proposal } = c
  return {
    peer: proposal.dapp,
    sas: c.sas,
    namespaces: { required: proposal.required, optional: proposal.optional },
    expiresAt: proposal.expiresAt,
    ...(c.signIn ? { signIn: c.signIn } : {}),
    get state() {
      return flow.state
    },
    verified: flow.verified.promise,
    approve: (o = {}) => flow.approve(o),
    reject: (reason = 'The user rejected the session.') => flow.reject(reason),
  }
}

/** The approve message for these options, or the required chains the wallet does not serve. */
function approval(c: ProposalContext, o: ApproveOptions): Approve | { missing: string[] } {
  const { proposal, chains } = c
  const required = proposal.required.eip155?.chains ?? []
  const missing = required.filter((ch) => !chains.includes(ch))
  if (missing.length) return { missing }
  const proposed = [...required, ...(proposal.optional.eip155?.chains ?? [])]
  const approvedChains = (o.chains?.map(toCaip2) ?? proposed).filter(
    (ch) => chains.includes(ch) && proposed.includes(ch),
  )
  const addresses = c.accounts.resolve(o.accounts ?? c.accounts.all.map((a) => a.address))
  return {
    t: 'approve',
    accounts: toCaip10(approvedChains, addresses),
    chains: approvedChains,
    methods: c.offer(proposal.required.eip155?.methods ?? [], approvedChains),
    events: [...(proposal.required.eip155?.events ?? [])],
    chainId: o.chainId !== undefined ? toCaip2(o.chainId) : (required[0] ?? approvedChains[0] ?? ''),
    expiresAt: proposal.expiresAt,
    device: toBase64Url(c.channel.o.device.publicKey),
  }
}
