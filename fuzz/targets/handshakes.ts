import {
  answerResume,
  createDappHandshake,
  MAX_HANDSHAKE_PAYLOAD,
  parsePairingUri,
  startResume,
  startWalletHandshake,
  type WalletHandshake,
} from '../../packages/sdk/src/protocol/index.js'
import type { Harness, Input, Target } from '../harness/types.js'
import { bytesOf, hex, must, SDK, sameBytes, vectors } from './shared.js'

const NOW = vectors.pairing.nowSeconds as number
const uri = parsePairingUri(vectors.pairing.uri)
const hello = JSON.parse(vectors.handshake.helloText)
const sessionId = hex(vectors.resume.sessionId)
const resumePsk = hex(vectors.resume.resumePsk)
const resumePayload = new TextEncoder().encode(vectors.resume.replyPayloadText)
const FAILED = 'The handshake message failed authentication.'

/** Fixed draws: the vectors' ephemerals, so the authentic messages are the published ones. */
const draw = (hexKey: string) => () => hex(hexKey)

const HANDSHAKE_REJECTS = [
  'FRAME_MALFORMED',
  'FRAME_UNSUPPORTED_VERSION',
  'UNEXPECTED_MESSAGE',
  'HANDSHAKE_MALFORMED',
  'HANDSHAKE_FAILED',
  'INVALID_KEY',
]

const handshakeFiles = [
  `${SDK}/protocol/handshake.ts`,
  `${SDK}/protocol/noise/handshakeState.ts`,
  `${SDK}/protocol/noise/symmetricState.ts`,
  `${SDK}/protocol/noise/dh.ts`,
  `${SDK}/protocol/envelope.ts`,
]

/** Messages of other pairings and sizes: authentic somewhere, never for this dApp or wallet. */
function foreignMessage1s(): Uint8Array[] {
  return [1, 300, 3000].map((n, i) => {
    const other = { ...uri, psk: new Uint8Array(32).fill(i + 1) }
    const w = startWalletHandshake({
      uri: other,
      hello: { v: 1, wallet: { ...hello.wallet, name: 'W'.repeat(Math.min(64, n)) } },
      nowSeconds: NOW,
      randomBytes: draw(vectors.handshake.walletEphemeralPrivate),
    })
    const m = w.message1
    w.destroy()
    return m
  })
}

/** No oracle: a failure of the AEAD or the DH is one error for any change to the message. */
function checkFailure(err: unknown): never {
  const e = err as { code?: string; shortMessage?: string }
  if (e.code === 'HANDSHAKE_FAILED') must(e.shortMessage === FAILED, 'two authentication errors')
  throw err
}

/** A harness whose one accepted input is `authentic`; `read` throws on anything else. */
function acceptsOnly(authentic: Uint8Array, what: string, read: (b: Uint8Array) => void): Harness {
  return {
    check(input: Input) {
      const b = bytesOf(input)
      try {
        read(b)
      } catch (err) {
        return checkFailure(err)
      }
      must(sameBytes(b, authentic), `a ${what} nobody wrote was accepted`)
      return 'accepted'
    },
  }
}

/** The dApp reads message 1 (§4.2, §4.4): junk changes nothing, and a replay is recognised. */
export const helloMessageTarget: Target = {
  name: 'handshake-hello',
  files: handshakeFiles,
  kind: 'bytes',
  maxLength: MAX_HANDSHAKE_PAYLOAD + 200,
  rejects: [...HANDSHAKE_REJECTS, 'HANDSHAKE_REPLAYED'],
  seeds: () => [hex(vectors.handshake.message1Hex), ...foreignMessage1s()],
  setup() {
    const message1 = hex(vectors.handshake.message1Hex)
    const dapp = createDappHandshake({
      uri,
      staticPrivateKey: hex(vectors.pairing.dappStaticPrivate),
      randomBytes: draw(vectors.handshake.dappEphemeralPrivate),
    })
    return {
      check(input: Input) {
        const b = bytesOf(input)
        const before = dapp.state
        try {
          dapp.readHello(b, NOW)
          must(before === 'waiting' && sameBytes(b, message1), 'a message 1 nobody wrote was accepted')
          return 'accepted'
        } catch (err) {
          must(dapp.state === before || sameBytes(b, message1), 'a rejected message 1 changed the pairing')
          return checkFailure(err)
        }
      },
    }
  },
}

/** The wallet reads message 2: junk leaves the handshake waiting for the real one. */
export const proposalMessageTarget: Target = {
  name: 'handshake-proposal',
  files: [...handshakeFiles, `${SDK}/protocol/payloads.ts`],
  kind: 'bytes',
  maxLength: MAX_HANDSHAKE_PAYLOAD + 200,
  rejects: HANDSHAKE_REJECTS,
  seeds: () => [
    hex(vectors.handshake.message2Hex),
    ...foreignMessage1s().map((m) => m.map((x, i) => (i === 1 ? 2 : x))),
  ],
  setup() {
    const message2 = hex(vectors.handshake.message2Hex)
    const start = (): WalletHandshake =>
      startWalletHandshake({
        uri,
        hello,
        nowSeconds: NOW,
        randomBytes: draw(vectors.handshake.walletEphemeralPrivate),
      })
    let wallet = start()
    return acceptsOnly(message2, 'message 2', (b) => {
      wallet.readProposal(b, NOW)
      wallet = start()
    })
  },
}

/** Resume message 1 (§8), answered statelessly from the session's resume psk. */
export const resumeInitTarget: Target = {
  name: 'resume-init',
  files: handshakeFiles,
  kind: 'bytes',
  maxLength: MAX_HANDSHAKE_PAYLOAD + 200,
  rejects: HANDSHAKE_REJECTS,
  seeds: () => [hex(vectors.resume.message1Hex)],
  setup: () =>
    acceptsOnly(hex(vectors.resume.message1Hex), 'resume message 1', (message1) => {
      answerResume({
        role: 'dapp',
        sessionId,
        resumePsk,
        message1,
        payload: resumePayload,
        randomBytes: draw(vectors.resume.dappEphemeralPrivate),
      })
    }),
}

/** Resume message 2, read by the initiator: junk leaves the attempt open. */
export const resumeReplyTarget: Target = {
  name: 'resume-reply',
  files: handshakeFiles,
  kind: 'bytes',
  maxLength: MAX_HANDSHAKE_PAYLOAD + 200,
  rejects: HANDSHAKE_REJECTS,
  seeds: () => [hex(vectors.resume.message2Hex)],
  setup() {
    const start = () =>
      startResume({
        role: 'wallet',
        sessionId,
        resumePsk,
        payload: new TextEncoder().encode(vectors.resume.initPayloadText),
        randomBytes: draw(vectors.resume.walletEphemeralPrivate),
      })
    let resume = start()
    return acceptsOnly(hex(vectors.resume.message2Hex), 'resume message 2', (b) => {
      resume.readReply(b)
      resume = start()
    })
  },
}
