import { EventEmitter } from 'eventemitter3'
import { Channel } from '../channel/channel.js'
import { deferred } from '../core/deferred.js'
import type { Side } from '../core/side.js'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { offerPairing } from '../handshakes/dappPairing.js'
import type { AbortReason, Approve } from '../messages/bodies.js'
import type { SessionMessage } from '../messages/envelope.js'
import type { HandshakeResult } from '../protocol/handshake.js'
import type { Metadata, Proposal } from '../protocol/payloads.js'
import type { RelayClient } from '../transport/index.js'
import { awaitApproval } from './approval.js'
import type { DappSessionImpl } from './session.js'
import type { DappPairingState, DappSession, Pairing } from './types.js'

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
const FINAL: readonly DappPairingState[] = ['verified', 'burned', 'failed']

/**
 * One pairing, as numeric comparison on both screens (docs/PROTOCOL.md §5.1): the URI; the SAS
 * once a wallet answered; the session only when the wallet's approval arrived AND this side's user
 * confirmed the code. Until then a second wallet burns it; after it the pairing secrets are wiped.
 */
export async function startPairing(c: PairingContext): Promise<Pairing> {
  const sas = deferred<string>()
  const approved = deferred<DappSession>()
  const events = new EventEmitter<{ state: [DappPairingState] }>()
  let state: DappPairingState = 'offered'
  let channel: Channel | null = null
  let peer: Metadata | null = null
  let approval: Approve | null = null
  let confirmed = false
  let session: DappSessionImpl | null = null
  let approvalTimer: unknown

  const move = (next: DappPairingState) => {
    state = next
    try {
      events.emit('state', next)
    } catch {
      // An app listener's failure must not leave the pairing half-moved.
    }
  }
  const finish = () => {
    c.side.timers.clearTimeout(approvalTimer)
    offer.stop()
    removeCloser()
  }
  /** Ends the pairing before verification; the wallet, if it has a channel, is told why. */
  const abort = async (err: PairlineError, tell?: AbortReason): Promise<void> => {
    if (FINAL.includes(state)) return
    move(err.code === ErrorCode.PairingBurned ? 'burned' : 'failed')
    sas.reject(err)
    approved.reject(err)
    finish()
    const ch = channel
    channel = null
    if (!ch) return
    if (tell) await ch.send({ t: 'abort', reason: tell }).catch(() => {})
    await ch.close()
  }
  const verify = () => {
    if (!channel || !peer || !approval || !confirmed || FINAL.includes(state)) return
    session = c.side.sessions.add(c.openSession(channel, peer, approval))
    move('verified')
    // Spent: s and the psk are wiped and the pairing topic dropped; later message 1s change nothing.
    finish()
    // Persisted with the session (its owner now exists); tells the wallet it is verified too.
    void channel.send({ t: 'confirm' }).catch(() => {})
    approved.resolve(session)
  }
  const onApproval = (outcome: { approve: Approve } | { error: PairlineError }) => {
    if (FINAL.includes(state)) return
    if ('error' in outcome) return void abort(outcome.error)
    approval = outcome.approve
    if (state === 'handshakeDone') move('walletConfirmed')
    verify()
  }
  const onMessage = (m: SessionMessage) => {
    if (m.t === 'close' && !FINAL.includes(state))
      void abort(fail(ErrorCode.Disconnected, 'The wallet ended the pairing before both screens confirmed.'))
  }
  const onAnswered = (result: HandshakeResult, wallet: Metadata) => {
    peer = wallet
    move('handshakeDone')
    sas.resolve(result.sas)
    const options = c.side.channelOptions(c.relay, () => session)
    void Channel.fromHandshake(result, options, (ch) => {
      channel = ch
      awaitApproval(ch, c.proposal, onApproval)
      ch.on('message', onMessage)
    }).then(
      (ch) => FINAL.includes(state) && !session && void ch.close(),
      () => {},
    )
    approvalTimer = c.side.timers.setTimeout(
      () =>
        void abort(
          fail(ErrorCode.PairingExpired, 'The code was not confirmed on both screens in time.'),
          'expired',
        ),
      c.approvalTimeoutSeconds * 1000,
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
    timers: c.side.timers,
    onAnswered,
    onFailed: (err) => void abort(err, 'burned'),
  })
  const removeCloser = c.side.onClose(() =>
    abort(fail(ErrorCode.SessionClosed, 'The dApp client was closed.'), 'cancelled'),
  )
  try {
    await offer.ready
  } catch (err) {
    await abort(err as PairlineError)
    throw err
  }
  return {
    uri: offer.uri,
    expiresAt: c.expiresAt,
    sas: sas.promise,
    approved: approved.promise,
    get state() {
      return state
    },
    on: (event, fn) => void events.on(event, fn),
    off: (event, fn) => void events.off(event, fn),
    confirm() {
      if (state === 'offered')
        return Promise.reject(
          fail(ErrorCode.HandshakeWrongState, 'No wallet has answered yet: there is no code to confirm.'),
        )
      if (!confirmed && !FINAL.includes(state)) {
        confirmed = true
        if (state === 'handshakeDone') move('dappConfirmed')
        verify()
      }
      return approved.promise
    },
    reject: () =>
      abort(
        fail(ErrorCode.UserRejected, 'The codes did not match: the pairing was cancelled on the dApp.'),
        'rejected',
      ),
    cancel: () => void abort(fail(ErrorCode.SessionClosed, 'The pairing was cancelled.'), 'cancelled'),
  }
}
