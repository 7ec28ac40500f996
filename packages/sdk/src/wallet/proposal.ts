import type { Channel } from '../channel/channel.js'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import type { Approve } from '../messages/bodies.js'
import { toCaip2, toCaip10 } from '../messages/caip.js'
import type { Proposal } from '../protocol/payloads.js'
import type { AccountSet } from './accounts.js'
import type { ApproveOptions, WalletProposal, WalletSession } from './types.js'

export type ProposalContext = {
  channel: Channel
  proposal: Proposal
  sas: string
  /** Chains this wallet serves (CAIP-2). */
  chains: readonly string[]
  accounts: AccountSet
  openSession(approve: Approve): WalletSession
}

/** The proposal as the wallet's user sees it, answered once: approve (narrowed) or reject. */
export function walletProposal(c: ProposalContext): WalletProposal {
  const { channel, proposal } = c
  let decided = false
  const decide = () => {
    if (decided) throw new PairlineError(ErrorCode.HandshakeWrongState, 'This proposal was already answered.')
    decided = true
  }
  return {
    peer: proposal.dapp,
    sas: c.sas,
    namespaces: { required: proposal.required, optional: proposal.optional },
    expiresAt: proposal.expiresAt,
    async approve(o = {}) {
      const approve = approval(c, o) // throws before deciding: the user can correct and approve again
      decide()
      if ('missing' in approve) {
        await channel.send({
          t: 'reject',
          code: 5100,
          message: `unsupported chains: ${approve.missing.join(',')}`,
        })
        await channel.close()
        throw new PairlineError(
          ErrorCode.UnsupportedMethod,
          'The dApp requires chains this wallet does not serve.',
          {
            details: approve.missing.join(', '),
          },
        )
      }
      const session = c.openSession(approve)
      await channel.send(approve)
      return session
    },
    async reject(reason = 'The user rejected the session.') {
      decide()
      await channel.send({ t: 'reject', code: 4001, message: reason })
      await channel.close()
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
