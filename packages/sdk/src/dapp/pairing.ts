import { EventEmitter } from 'eventemitter3'
import { Channel } from '../channel/channel.js'
import { deferred } from '../core/deferred.js'
import type { Side } from '../core/side.js'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { type DappPairing, offerPairing } from '../handshakes/dappPairing.js'
import type { AbortReason, Approve } from '../messages/bodies.js'
import type { SessionMessage } from '../messages/envelope.js'
import type { HandshakeResult } from '../protocol/handshake.js'
import type { Metadata, Proposal } from '../protocol/payloads.js'
import type { SignInRequest } from '../protocol/signIn.js'
import type { RelayClient } from '../transport/index.js'
import { awaitApproval } from './approval.js'
import type { DappSessionImpl } from './session.js'
import { checkSignIn, type SignInVerifier } from './signIn.js'
import type { DappPairingState, DappSession, Pairing } from './types.js'

export type PairingContext = {
  side: Side<DappSessionImpl>
  relay: RelayClient
  relayUrl: string
  proposal: Proposal
  expiresAt: number
  approvalTimeoutSeconds: number
  /** sign-in at connect: what was asked, and the app's verifier (§14.7) */
  signIn?: { request: SignInRequest; verify: SignInVerifier }
  openSession(channel: Channel, peer: Metadata, approve: Approve): DappSessionImpl
}

const fail = (code: ErrorCode, message: string) => new PairlineError(code, message)
const FINAL: readonly DappPairingState[] = ['verified', 'burned', 'failed']

/**
 * One pairing on the dApp, as numeric comparison on both screens (docs/PROTOCOL.md §5.1): the
 * URI; the SAS once a wallet answered; the session only when the wallet's approval arrived AND
 * this side's user confirmed. Until then a second wallet burns it; then the secrets are wiped.
 */
class PairingFlow {
  readonly sas = deferred<string>()
  readonly approved = deferred<DappSession>()
  readonly events = new EventEmitter<{ state: [DappPairingState] }>()
  state: DappPairingState = 'offered'
  readonly #c: PairingContext
  readonly #offer: DappPairing
  readonly #removeCloser: () => void
  #channel: Channel | null = null
  #peer: Metadata | null = null
  #approval: Approve | null = null
  #confirmed = false
  #session: DappSessionImpl | null = null
  /** The session as the channel's writes see it: set within the write that sends `confirm`. */
  #stored: DappSessionImpl | null = null
  #timer: unknown

  constructor(c: PairingContext) {
    this.#c = c
    this.#offer = offerPairing({
      relay: c.relay,
      relayUrl: c.relayUrl,
      random: c.side.random,
      now: c.side.now,
      chains: c.proposal.required.eip155?.chains ?? [],
      expiresAt: c.expiresAt,
      proposal: c.proposal,
      connectTimeoutMs: c.side.connectTimeoutMs,
      timers: c.side.timers,
      onAnswered: (result, wallet) => this.#answered(result, wallet),
      onFailed: (err) => void this.abort(err, 'burned'),
    })
    this.#removeCloser = c.side.onClose(() =>
      this.abort(fail(ErrorCode.SessionClosed, 'The dApp client was closed.'), 'cancelled'),
    )
  }

  get uri(): string {
    return this.#offer.uri
  }

  get ready(): Promise<void> {
    return this.#offer.ready
  }

  get #final(): boolean {
    return FINAL.includes(this.state)
  }

  #move(next: DappPairingState): void {
    this.state = next
    try {
      this.events.emit('state', next)
    } catch {
      // An app listener's failure must not leave the pairing half-moved.
    }
  }

  #finish(): void {
    this.#c.side.timers.clearTimeout(this.#timer)
    this.#offer.stop()
    this.#removeCloser()
  }

  #answered(result: HandshakeResult, wallet: Metadata): void {
    this.#peer = wallet
    this.#move('handshakeDone')
    this.sas.resolve(result.sas)
    void this.#c.side
      .channelOptions(this.#c.relay, () => this.#stored)
      .then((options) =>
        Channel.fromHandshake(result, options, (ch) => {
          this.#channel = ch
          awaitApproval(ch, this.#c.proposal, (outcome) => this.#onApproval(outcome))
          ch.on('message', (m) => this.#onMessage(m))
        }),
      )
      .then(
        (ch) => this.#final && !this.#session && void ch.close(),
        // The session's topics could not be subscribed (e.g. RELAY_REJECTED / TOO_MANY_TOPICS, a
        // relay limit): the pairing fails with that now, and the wallet is told, instead of both
        // waiting for the approval timeout.
        (err) =>
          void this.abort(
            err instanceof PairlineError
              ? err
              : fail(ErrorCode.InternalError, 'The session could not start.'),
            'cancelled',
          ),
      )
    // Errors are made when they happen: each one captures a stack, which costs more than a pairing's
    // JSON (issue 16).
    const expired = () =>
      void this.abort(
        fail(ErrorCode.PairingExpired, 'The code was not confirmed on both screens in time.'),
        'expired',
      )
    this.#timer = this.#c.side.timers.setTimeout(expired, this.#c.approvalTimeoutSeconds * 1000)
  }

  #onApproval(outcome: { approve: Approve } | { error: PairlineError }): void {
    if (this.#final) return
    if ('error' in outcome) return void this.abort(outcome.error)
    const { approve } = outcome
    const signIn = this.#c.signIn
    if (!signIn) {
      this.#approved(approve)
      return
    }
    // The approval counts only once its sign-in verified; until then confirm() waits for it.
    checkSignIn(signIn.request, approve, signIn.verify, this.#c.side.now()).then(
      () => this.#approved(approve),
      (err: PairlineError) => void this.abort(err, 'sign-in-failed'),
    )
  }

  #approved(approve: Approve): void {
    if (this.#final) return
    this.#approval = approve
    if (this.state === 'handshakeDone') this.#move('walletConfirmed')
    this.#verify()
  }

  #onMessage(m: SessionMessage): void {
    if (m.t === 'close' && !this.#final)
      void this.abort(
        fail(ErrorCode.Disconnected, 'The wallet ended the pairing before both screens confirmed.'),
      )
  }

  /** This side's user saw the same code on the wallet. */
  confirm(): Promise<DappSession> {
    if (this.state === 'offered')
      return Promise.reject(
        fail(ErrorCode.HandshakeWrongState, 'No wallet has answered yet: there is no code to confirm.'),
      )
    if (!this.#confirmed && !this.#final) {
      this.#confirmed = true
      if (this.state === 'handshakeDone') this.#move('dappConfirmed')
      this.#verify()
    }
    return this.approved.promise
  }

  #verify(): void {
    const [channel, peer, approval] = [this.#channel, this.#peer, this.#approval]
    if (!channel || !peer || !approval || !this.#confirmed || this.#final) return
    const session = this.#c.side.sessions.add(this.#c.openSession(channel, peer, approval))
    this.#session = session
    this.#move('verified')
    // Spent: s and the psk are wiped and the pairing topic dropped; later message 1s change nothing.
    this.#finish()
    // Tells the wallet it is verified too. The session is stored in the write that holds this
    // `confirm` (persist before send), with the approval's receipt: that receipt's own write, queued
    // before this ran, finds no owner yet and stores nothing, so a verified session is one write, not
    // two (issue 16), and a crash before it leaves nothing stored, as when the approval comes first.
    const store = () => {
      this.#stored = session
    }
    void channel.send({ t: 'confirm' }, store).catch(() => {})
    this.approved.resolve(session)
  }

  /** Ends the pairing before verification; the wallet, if it has a channel, is told why. */
  async abort(err: PairlineError, tell?: AbortReason): Promise<void> {
    if (this.#final) return
    this.#move(err.code === ErrorCode.PairingBurned ? 'burned' : 'failed')
    this.sas.reject(err)
    this.approved.reject(err)
    this.#finish()
    const ch = this.#channel
    this.#channel = null
    if (!ch) return
    if (tell) await ch.send({ t: 'abort', reason: tell }).catch(() => {})
    await ch.close()
  }
}

/** Starts a pairing; resolves once the relay holds the pairing topic (RELAY_UNAVAILABLE otherwise). */
export async function startPairing(c: PairingContext): Promise<Pairing> {
  const flow = new PairingFlow(c)
  try {
    await flow.ready
  } catch (err) {
    await flow.abort(err as PairlineError)
    throw err
  }
  return {
    uri: flow.uri,
    expiresAt: c.expiresAt,
    sas: flow.sas.promise,
    approved: flow.approved.promise,
    get state() {
      return flow.state
    },
    on: (event, fn) => void flow.events.on(event, fn),
    off: (event, fn) => void flow.events.off(event, fn),
    confirm: () => flow.confirm(),
    reject: () =>
      flow.abort(
        fail(ErrorCode.UserRejected, 'The codes did not match: the pairing was cancelled on the dApp.'),
        'rejected',
      ),
    cancel: () => void flow.abort(fail(ErrorCode.SessionClosed, 'The pairing was cancelled.'), 'cancelled'),
  }
}
