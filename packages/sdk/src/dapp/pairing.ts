import { Channel } from '../channel/channel.js'
import { deferred } from '../core/deferred.js'
import type { Side } from '../core/side.js'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { offerPairing } from '../handshakes/dappPairing.js'
import type { Approve } from '../messages/bodies.js'
import type { HandshakeResult } from '../protocol/handshake.js'
import type { Metadata, Proposal } from '../protocol/payloads.js'
import type { RelayClient } from '../transport/index.js'
import { softTimeout } from '../util/timers.js'
import { awaitApproval } from './approval.js'
import type { DappSessionImpl } from './session.js'
import type { DappSession, Pairing } from './types.js'

export type PairingContext = {
  side: Side<DappSessionImpl>
  relay: RelayClient
  relayUrl: string
  proposal: Proposal
  expiresAt: number
  approvalTimeoutSeconds: number
  openSession(channel: Channel, peer: Metadata, approve: Approve): DappSessionImpl
}

const fail = (code: ErrorCode, message: string) => new PairlineError(code, message)

/** One pairing: the URI, then the SAS once a wallet answers, then the approved session. */
export async function startPairing(c: PairingContext): Promise<Pairing> {
  const sas = deferred<string>()
  const approved = deferred<DappSession>()
  let channel: Channel | null = null
  let session: DappSessionImpl | null = null
  let settled = false
  let approvalTimer: ReturnType<typeof setTimeout> | undefined

  const finish = () => {
    clearTimeout(approvalTimer)
    offer.stop()
    removeCloser()
  }
  const abort = (err: PairlineError) => {
    if (!settled) {
      settled = true
      sas.reject(err)
      approved.reject(err)
    }
    finish()
    if (session && !session.ended)
      void session.disconnect('The pairing was cancelled: the QR code was used twice.')
    else void channel?.close()
  }
  const onApproval = (outcome: { approve: Approve } | { error: PairlineError }, peer: Metadata) => {
    if (settled || !channel) return
    settled = true
    clearTimeout(approvalTimer)
    if ('error' in outcome) return approved.reject(outcome.error)
    session = c.side.sessions.add(c.openSession(channel, peer, outcome.approve))
    void channel.persist()
    approved.resolve(session)
  }
  const onAnswered = (result: HandshakeResult, peer: Metadata) => {
    sas.resolve(result.sas)
    const options = c.side.channelOptions(c.relay, () => session)
    void Channel.fromHandshake(result, options, (ch) => {
      channel = ch
      awaitApproval(ch, c.proposal, (outcome) => onApproval(outcome, peer))
    }).then((ch) => {
      if (settled && !session) void ch.close()
    })
    const timeoutMs = c.approvalTimeoutSeconds * 1000
    approvalTimer = softTimeout(
      () => abort(fail(ErrorCode.PairingExpired, 'The wallet did not approve in time.')),
      timeoutMs,
    )
  }

  const offer = offerPairing({
    relay: c.relay,
    relayUrl: c.relayUrl,
    random: c.side.random,
    now: c.side.now,
    chains: c.proposal.required.eip155?.chains ?? [],
    expiresAt: c.expiresAt,
    proposal: c.proposal,
    connectTimeoutMs: c.side.connectTimeoutMs,
    onAnswered,
    onFailed: abort,
  })
  const removeCloser = c.side.onClose(() => {
    if (!settled) abort(fail(ErrorCode.SessionClosed, 'The dApp client was closed.'))
    else finish()
  })
  try {
    await offer.ready
  } catch (err) {
    abort(err as PairlineError)
    throw err
  }
  const cancel = () => abort(fail(ErrorCode.SessionClosed, 'The pairing was cancelled.'))
  return { uri: offer.uri, expiresAt: c.expiresAt, sas: sas.promise, approved: approved.promise, cancel }
}
