import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { wipe } from '../protocol/bytes.js'
import { MessageType, peekMessageType } from '../protocol/envelope.js'
import { type HandshakeResult, startWalletHandshake } from '../protocol/handshake.js'
import type { Metadata, Proposal } from '../protocol/payloads.js'
import type { RandomBytes } from '../protocol/random.js'
import type { TopicPair } from '../protocol/topics.js'
import type { PairingUri } from '../protocol/uri.js'
import type { RelayClient, RelayMessage } from '../transport/index.js'
import { relayDeadline, type Timers } from '../util/timers.js'

/** How long a wallet waits for a message 2 it can open, once the relay took its message 1. */
export const DEFAULT_ANSWER_TIMEOUT_MS = 15_000

export type WalletPairingOptions = {
  relay: RelayClient
  /** The parsed URI; its psk is wiped here. */
  uri: PairingUri
  /** pairingTopics(uri.psk), which the caller has computed already (one HKDF fewer). */
  topics: TopicPair
  wallet: Metadata
  random: RandomBytes
  /** unix seconds */
  now: () => number
  connectTimeoutMs: number
  /** A live dApp answers in milliseconds; after this the QR is taken as damaged, spent or closed. */
  answerTimeoutMs: number
  timers: Timers
}

const noAnswer = (ms: number) =>
  new PairlineError(
    ErrorCode.PairingNoAnswer,
    'The dApp did not answer: the QR code may be damaged, expired or already used, or the dApp was closed. Ask the dApp for a new code.',
    { details: `no message 2 this wallet could open within ${ms} ms of sending its message 1` },
  )

/**
 * The wallet half of the pairing handshake (docs/PROTOCOL.md §4): sends the hello on the pairing
 * topic and waits for the dApp's proposal, at most `answerTimeoutMs` once the relay took the hello
 * (PAIRING_NO_ANSWER) and never past the URI's expiry (PAIRING_EXPIRED). A message 2 meant for
 * another wallet (a racer) fails to open and is skipped; a refusal (PAIRING_BURNED) ends it.
 */
export function answerPairing(
  o: WalletPairingOptions,
): Promise<{ proposal: Proposal; result: HandshakeResult }> {
  const { relay, uri, now, timers, topics } = o
  const hs = startWalletHandshake({
    uri,
    hello: { v: 1, wallet: o.wallet },
    nowSeconds: now(),
    randomBytes: o.random,
  })
  wipe(uri.psk)
  return new Promise((resolve, reject) => {
    let answerTimer: unknown
    let over = false
    const done = (err?: PairlineError) => {
      if (over) return
      over = true
      timers.clearTimeout(expiryTimer)
      timers.clearTimeout(answerTimer)
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
        if (over || peekMessageType(m.payload) !== MessageType.Proposal) return
        const out = hs.readProposal(m.payload, now())
        done()
        resolve(out)
      } catch (err) {
        const code = err instanceof PairlineError ? err.code : null
        if (code === ErrorCode.PayloadMalformed || code === ErrorCode.PairingBurned)
          done(err as PairlineError)
      }
    }
    const expired = () =>
      done(new PairlineError(ErrorCode.PairingExpired, 'The dApp did not answer before the QR code expired.'))
    const expiryTimer = timers.setTimeout(expired, Math.max(0, (uri.expiresAt - now()) * 1000))
    const unroute = relay.route(topics.d2w, onMessage)
    const ttlSeconds = Math.max(1, Math.ceil(uri.expiresAt - now()))
    const sent = relay
      .subscribe([topics.d2w])
      .then(() => relay.publish(topics.w2d, hs.message1, { ttlSeconds }))
    relayDeadline(sent, o.connectTimeoutMs, 'answer the pairing code').then(
      () => {
        if (!over) answerTimer = timers.setTimeout(() => done(noAnswer(o.answerTimeoutMs)), o.answerTimeoutMs)
      },
      (err: PairlineError) => done(err),
    )
  })
}
