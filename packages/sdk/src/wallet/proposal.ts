import type { Channel } from '../channel/channel.js'
import { deferred } from '../core/deferred.js'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { type AbortReason, type Approve, asAbort } from '../messages/bodies.js'
import { toCaip2, toCaip10 } from '../messages/caip.js'
import type { SessionMessage } from '../messages/envelope.js'
import { burnedError } from '../protocol/handshake.js'
import type { Proposal } from '../protocol/payloads.js'
import type { Timers } from '../util/timers.js'
import type { AccountSet } from './accounts.js'
import type { ApproveOptions, WalletPairingState, WalletProposal, WalletSession } from './types.js'

export type ProposalContext = {
  channel: Channel
  proposal: Proposal
  sas: string
  /** Chains this wallet serves (CAIP-2). */
  chains: readonly string[]
  accounts: AccountSet
  timers: Timers
  confirmTimeoutMs: number
  /** Runs `fn` when the wallet closes; returns the remover. */
  onClose(fn: () => Promise<void>): () => void
  /** Creates and stores the session: called once, when the pairing is verified. */
  openSession(approve: Approve): WalletSession
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
  return new PairlineError(
    ErrorCode.PairingCancelled,
    'The dApp cancelled the pairing: nothing was connected.',
  )
}

const MAX_EARLY = 64

/**
 * The proposal as the wallet's user sees it (docs/PROTOCOL.md §5.1), answered once: approve
 * (narrowed) or reject. The session exists only once the dApp's `confirm` arrives, after this
 * user's approval; an `abort` from the dApp, a `close`, or the confirmation deadline ends it.
 */
export function walletProposal(c: ProposalContext): WalletProposal {
  const { channel, proposal } = c
  const verified = deferred<WalletSession>()
  let state: WalletPairingState = 'handshakeDone'
  let approve: Approve | null = null
  let ended: PairlineError | null = null
  let decided = false
  // Session messages after the dApp's confirm (a request) that overtook it: handed to the session.
  const early: SessionMessage[] = []

  const end = async (err: PairlineError, tell?: string) => {
    if (state === 'verified' || ended) return
    ended = err
    state = err.code === ErrorCode.PairingBurned ? 'burned' : 'failed'
    stop()
    verified.reject(err)
    if (tell) await channel.send({ t: 'close', code: 4900, message: tell }).catch(() => {})
    await channel.close()
  }
  const verify = () => {
    if (!approve || state !== 'walletConfirmed') return
    state = 'verified'
    stop()
    const session = c.openSession(approve)
    for (const m of early.splice(0)) channel.emit('message', m)
    void channel.persist()
    verified.resolve(session)
  }
  const onMessage = (m: SessionMessage) => {
    if (ended || state === 'verified') return
    try {
      if (m.t === 'abort') void end(abortError(asAbort(m).reason))
      else if (m.t === 'close')
        void end(
          new PairlineError(ErrorCode.PairingCancelled, 'The dApp ended the pairing: nothing was connected.'),
        )
      else if (m.t === 'confirm') verify()
      else if (early.length < MAX_EARLY) early.push(m)
    } catch {
      // A malformed notice from the authenticated dApp is ignored; the deadline still holds.
    }
  }
  channel.on('message', onMessage)
  const timer = c.timers.setTimeout(
    () =>
      void end(
        new PairlineError(ErrorCode.PairingExpired, 'The code was not confirmed on both screens in time.'),
        'The wallet stopped waiting for the confirmation.',
      ),
    c.confirmTimeoutMs,
  )
  const removeCloser = c.onClose(() =>
    end(
      new PairlineError(ErrorCode.SessionClosed, 'The wallet client was closed.'),
      'The wallet was closed.',
    ),
  )
  const stop = () => {
    c.timers.clearTimeout(timer)
    channel.off('message', onMessage)
    removeCloser()
  }
  const decide = () => {
    if (ended) throw ended
    if (decided) throw new PairlineError(ErrorCode.HandshakeWrongState, 'This proposal was already answered.')
    decided = true
  }

  return {
    peer: proposal.dapp,
    sas: c.sas,
    namespaces: { required: proposal.required, optional: proposal.optional },
    expiresAt: proposal.expiresAt,
    get state() {
      return state
    },
    verified: verified.promise,
    async approve(o = {}) {
      if (ended) throw ended
      const answer = approval(c, o) // throws before deciding: the user can correct and approve again
      decide()
      if ('missing' in answer) {
        const err = new PairlineError(
          ErrorCode.UnsupportedMethod,
          'The dApp requires chains this wallet does not serve.',
          { details: answer.missing.join(', ') },
        )
        await channel.send({
          t: 'reject',
          code: 5100,
          message: `unsupported chains: ${answer.missing.join(',')}`,
        })
        await end(err)
        throw err
      }
      approve = answer
      state = 'walletConfirmed'
      await channel.send(answer).catch((err) => {
        if (!ended) throw err // else: the pairing ended meanwhile, and `verified` says why
      })
      return verified.promise
    },
    async reject(reason = 'The user rejected the session.') {
      decide()
      await channel.send({ t: 'reject', code: 4001, message: reason })
      await end(new PairlineError(ErrorCode.UserRejected, 'The pairing was rejected on this wallet.'))
    },
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
    methods: [...(proposal.required.eip155?.methods ?? [])],
    events: [...(proposal.required.eip155?.events ?? [])],
    chainId: o.chainId !== undefined ? toCaip2(o.chainId) : (required[0] ?? approvedChains[0] ?? ''),
    expiresAt: proposal.expiresAt,
  }
}
