import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { wipe } from '../protocol/bytes.js'
import { MessageType, peekMessageType } from '../protocol/envelope.js'
import { dappHandshakeWith, type HandshakeResult } from '../protocol/handshake.js'
import { generateKeyPair } from '../protocol/noise/dh.js'
import type { Metadata, Proposal } from '../protocol/payloads.js'
import type { RandomBytes } from '../protocol/random.js'
import { pairingTopics } from '../protocol/topics.js'
import { encodePairingUri } from '../protocol/uri.js'
import type { RelayClient, RelayMessage } from '../transport/index.js'
import { relayDeadline, type Timers } from '../util/timers.js'

export type DappPairingOptions = {
  relay: RelayClient
  relayUrl: string
  random: RandomBytes
  /** unix seconds */
  now: () => number
  chains: readonly string[]
  expiresAt: number
  proposal: Proposal
  connectTimeoutMs: number
  timers: Timers
  /** The wallet's hello was valid and the proposal sent: the handshake is complete. */
  onAnswered(result: HandshakeResult, wallet: Metadata): void
  /** PAIRING_BURNED (a second wallet) or PAIRING_EXPIRED (no wallet in time). */
  onFailed(err: PairlineError): void
}

export type DappPairing = {
  readonly uri: string
  /** Resolves once the relay holds our subscription (RELAY_UNAVAILABLE after the connect timeout). */
  readonly ready: Promise<void>
  /** Stops listening for hellos and wipes s and the psk (the pairing is verified or over). */
  stop(): void
}

/**
 * The dApp half of the pairing handshake (docs/PROTOCOL.md §4): a fresh static key and psk in the
 * URI; each hello on the pairing topic is read, the first valid one answered with the proposal.
 * Until `stop()` (the pairing is verified or over) or the URI's expiry, a second different hello
 * burns the pairing (§4.4): its sender gets an authenticated refusal, the caller PAIRING_BURNED.
 */
export function offerPairing(o: DappPairingOptions): DappPairing {
  const s = generateKeyPair(o.random)
  const psk = o.random(32)
  const uriFields = {
    version: 1 as const,
    responderStatic: s.publicKey,
    psk,
    relayUrl: o.relayUrl,
    expiresAt: o.expiresAt,
    chains: o.chains.slice(0, 16),
  }
  const uri = encodePairingUri(uriFields)
  const hs = dappHandshakeWith(uriFields, s, o.random)
  const topics = pairingTopics(psk)
  wipe(s.privateKey, psk)
  let answered = false
  let stopped = false

  const onHello = (m: RelayMessage) => {
    o.relay.ack(m.topic, m.id)
    if (stopped) return
    const send = (message2: Uint8Array) => {
      const ttlSeconds = Math.max(1, o.expiresAt - Math.floor(o.now()))
      o.relay.publish(topics.d2w, message2, { ttlSeconds }).catch(() => {})
    }
    try {
      if (peekMessageType(m.payload) !== MessageType.Hello) return
      const { hello } = hs.readHello(m.payload, o.now())
      const { message2, result } = hs.writeProposal(o.proposal, o.now())
      send(message2)
      answered = true
      o.onAnswered(result, hello.wallet)
    } catch (err) {
      // Anything else (forged, replayed, malformed) is dropped: the real wallet can still pair.
      if (!(err instanceof PairlineError) || err.code !== ErrorCode.PairingBurned) return
      if (hs.burnNotice) send(hs.burnNotice)
      stop()
      o.onFailed(err)
    }
  }

  const stop = () => {
    if (stopped) return
    stopped = true
    unroute()
    o.timers.clearTimeout(expiry)
    hs.destroy()
    o.relay.unsubscribe([topics.w2d]).catch(() => {})
  }
  // After expiry no hello is accepted any more; an answered pairing may still be approved.
  const expiry = o.timers.setTimeout(
    () => {
      stop()
      if (!answered)
        o.onFailed(
          new PairlineError(
            ErrorCode.PairingExpired,
            'The pairing QR code expired before a wallet answered.',
          ),
        )
    },
    (o.expiresAt - o.now()) * 1000,
  )
  const unroute = o.relay.route(topics.w2d, onHello)
  const ready = relayDeadline(o.relay.subscribe([topics.w2d]), o.connectTimeoutMs, 'show a pairing code')
  return { uri, ready, stop }
}
