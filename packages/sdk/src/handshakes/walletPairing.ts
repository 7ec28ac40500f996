import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { wipe } from '../protocol/bytes.js'
import { MessageType, peekMessageType } from '../protocol/envelope.js'
import { type HandshakeResult, startWalletHandshake } from '../protocol/handshake.js'
import type { Metadata, Proposal } from '../protocol/payloads.js'
import type { RandomBytes } from '../protocol/random.js'
import { pairingTopics } from '../protocol/topics.js'
import type { PairingUri } from '../protocol/uri.js'
import type { RelayClient, RelayMessage } from '../transport/index.js'
import { relayDeadline, softTimeout } from '../util/timers.js'

export type WalletPairingOptions = {
  relay: RelayClient
  /** The parsed URI; its psk is wiped here. */
  uri: PairingUri
  wallet: Metadata
  random: RandomBytes
  /** unix seconds */
  now: () => number
  connectTimeoutMs: number
}

/**
 * The wallet half of the pairing handshake (docs/PROTOCOL.md §4): sends the hello on the pairing
 * topic and waits for the dApp's proposal, until the URI expires. A message 2 meant for another
 * wallet (a racer) fails to open and is skipped.
 */
export function answerPairing(
  o: WalletPairingOptions,
): Promise<{ proposal: Proposal; result: HandshakeResult }> {
  const { relay, uri, now } = o
  const topics = pairingTopics(uri.psk)
  const hs = startWalletHandshake({
    uri,
    hello: { v: 1, wallet: o.wallet },
    nowSeconds: now(),
    randomBytes: o.random,
  })
  wipe(uri.psk)
  return new Promise((resolve, reject) => {
    const done = (err?: PairlineError) => {
      clearTimeout(timer)
      unroute()
      relay.unsubscribe([topics.d2w]).catch(() => {})
      if (err) {
        hs.destroy()
        reject(err)
      }
    }
    const onMessage = (m: RelayMessage) => {
      relay.ack(m.topic, m.id)
      try {
        if (peekMessageType(m.payload) !== MessageType.Proposal) return
        const out = hs.readProposal(m.payload, now())
        done()
        resolve(out)
      } catch (err) {
        if (err instanceof PairlineError && err.code === ErrorCode.PayloadMalformed) done(err)
      }
    }
    const expired = () =>
      done(new PairlineError(ErrorCode.PairingExpired, 'The dApp did not answer before the QR code expired.'))
    const timer = softTimeout(expired, Math.max(0, (uri.expiresAt - now()) * 1000))
    const unroute = relay.route(topics.d2w, onMessage)
    const ttlSeconds = Math.max(1, Math.ceil(uri.expiresAt - now()))
    const sent = relay
      .subscribe([topics.d2w])
      .then(() => relay.publish(topics.w2d, hs.message1, { ttlSeconds }))
    relayDeadline(sent, o.connectTimeoutMs, 'answer the pairing code').catch((err: PairlineError) =>
      done(err),
    )
  })
}
