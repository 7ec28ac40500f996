import type { Channel } from '../channel/channel.js'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { type Approve, asApprove, asReject } from '../messages/bodies.js'
import type { SessionMessage } from '../messages/envelope.js'
import { fromBase64Url } from '../protocol/bytes.js'
import type { Proposal } from '../protocol/payloads.js'

/**
 * Waits on a fresh channel for the wallet's answer to the proposal: `approve` (checked against the
 * proposal: the wallet may narrow, never widen) or `reject`. Anything else is ignored.
 */
export function awaitApproval(
  channel: Channel,
  proposal: Proposal,
  done: (outcome: { approve: Approve } | { error: PairlineError }) => void,
): void {
  let answered = false
  const onMessage = (m: SessionMessage) => {
    if (answered || (m.t !== 'approve' && m.t !== 'reject')) return
    try {
      if (m.t === 'reject') {
        answered = true
        const r = asReject(m)
        void channel.close()
        return done({
          error: new PairlineError(ErrorCode.UserRejected, 'The wallet rejected the session.', {
            details: r.message,
          }),
        })
      }
      const approve = asApprove(m)
      const problem = checkApproval(approve, proposal)
      answered = true
      if (!problem) {
        const device = approve.device ? fromBase64Url(approve.device) : null
        if (device) channel.bindPeerDevice(device) // authenticated: it came over the channel
        return done({ approve })
      }
      void channel.send({ t: 'close', code: 4900, message: problem }).finally(() => channel.close())
      done({
        error: new PairlineError(
          ErrorCode.PayloadMalformed,
          'The wallet’s approval does not match the proposal.',
          { details: problem },
        ),
      })
    } catch (err) {
      if (err instanceof PairlineError) {
        answered = true
        done({ error: err })
      }
    }
  }
  channel.on('message', onMessage)
}

/** A reason the approval is unacceptable, or null. */
export function checkApproval(a: Approve, p: Proposal): string | null {
  const required = p.required.eip155
  const allowedChains = new Set([...(required?.chains ?? []), ...(p.optional.eip155?.chains ?? [])])
  if (a.accounts.length === 0) return 'no accounts approved'
  for (const c of required?.chains ?? []) if (!a.chains.includes(c)) return `required chain ${c} not approved`
  for (const c of a.chains) if (!allowedChains.has(c)) return `chain ${c} was not proposed`
  for (const m of a.methods) if (!required?.methods.includes(m)) return `method ${m} was not proposed`
  if (!a.chains.includes(a.chainId)) return 'the current chain is not among the approved chains'
  for (const acc of a.accounts)
    if (!a.chains.some((c) => acc.startsWith(`${c}:`))) return 'an account is on an unapproved chain'
  if (a.expiresAt > p.expiresAt) return 'the approved expiry is later than proposed'
  return null
}
