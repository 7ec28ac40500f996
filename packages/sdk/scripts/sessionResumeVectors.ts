import { p256 } from '@noble/curves/p256'
import { sha256 } from '@noble/hashes/sha2'
import { TEST_NOW } from '@pairline/testkit/protocol'
import type { Body, SessionMessage } from '../src/messages/envelope.js'
import { encodeSessionMessage } from '../src/messages/envelope.js'
import { requestHash } from '../src/messages/requestId.js'
import { toBase64Url, utf8 } from '../src/protocol/bytes.js'
import { FRAME_MIN_PADDED, MAX_FRAME_PLAINTEXT } from '../src/protocol/frame.js'
import { FrameSender } from '../src/protocol/frameCipher.js'
import { MAX_HANDSHAKE_PAYLOAD } from '../src/protocol/handshake.js'
import { keyPairFromPrivate, type RandomBytes } from '../src/protocol/noise/dh.js'
import { pad } from '../src/protocol/padding.js'
import { answerResume, startResume } from '../src/protocol/resume.js'
import {
  encodeResumeInit,
  encodeResumeReply,
  resumeInitSignedData,
  resumeReplySignedData,
} from '../src/protocol/resumePayload.js'
import {
  adopted,
  answered,
  committed,
  encodeResumeState,
  type Generation,
  type ResumeState,
} from '../src/records/resumeState.js'
import { buildVectors } from './vectors.js'

/**
 * A resume with its first frames (docs/vectors/pairline-v1-session.json `resume`, PROTOCOL.md §8,
 * §14.1): the second resume of the session of pairline-v1.json, started by the dApp after a page
 * reload with a request still unacknowledged. Generation 1 is the one that file's resume made
 * (wallet-initiated, attempt 1); this is the dApp's attempt 2 (its attempt 1 never reached the
 * wallet). Message 1 and 2, every derived value of generation 2, the stored resume state of each
 * side at its commit point (§8.2, §14.4), and the first frame under the new keys each way: the
 * dApp's request sent again (same seq, counter 0 under the new key) and the wallet's answer.
 */

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'))
const LABEL = 'pairline/v1/vectors/session/resume'
const GEN = 1
const ATTEMPT = 2

/** One 32-byte key, once (the responder's ephemeral: the only random draw of the resume). */
function once(key: Uint8Array): RandomBytes {
  let used = false
  return (length) => {
    if (length !== 32 || used) throw new Error('resume vectors: an unexpected random draw')
    used = true
    return key.slice()
  }
}

const noRandom: RandomBytes = () => {
  throw new Error('resume vectors: the initiator ephemeral is given')
}

/** RFC 6979 ECDSA P-256 over SHA-256, r ‖ s (the SDK's WebCrypto signatures are randomized). */
const deviceSign = (priv: Uint8Array, data: Uint8Array) => p256.sign(sha256(data), priv).toCompactRawBytes()

const REQ_3 = {
  t: 'req',
  id: toBase64Url(sha256(utf8('request 3')).subarray(0, 16)),
  method: 'personal_sign',
  params: ['0x726573756d6564', '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'],
  chainId: 'eip155:1',
  expiresAt: TEST_NOW + 300,
} as const
const SIGNATURE = `0x${'cd'.repeat(65)}`

/** Where each side's channel stood when the dApp reloaded (§14.1). */
const BEFORE = {
  dapp: { sendSeq: 3, recvSeq: 5, unacked: [3] },
  wallet: { sendSeq: 5, recvSeq: 2, unacked: [] as number[] },
}

function stored(s: ResumeState) {
  const { json, secrets } = encodeResumeState(s)
  return { json, secretsHex: hex(secrets) }
}

function frame(key: Uint8Array, body: Body, seq: number, ack: number) {
  const sender = new FrameSender({ key, nowSeconds: TEST_NOW })
  const message: SessionMessage = { ...body, v: 1, seq, ack }
  const plaintext = encodeSessionMessage(message)
  const out = sender.seal(plaintext, TEST_NOW)
  sender.destroy()
  return {
    json: new TextDecoder().decode(plaintext),
    paddedHex: hex(pad(plaintext, MAX_FRAME_PLAINTEXT, FRAME_MIN_PADDED)),
    frameHex: hex(out),
  }
}

export function buildResumeVectors() {
  const v1 = buildVectors()
  const sessionId = bytes(v1.handshake.sessionId)
  const topicsOf = (t: { w2d: string; d2w: string }) => ({ w2d: t.w2d, d2w: t.d2w })
  const gen0: Generation = {
    gen: 0,
    topics: topicsOf(v1.handshake.sessionTopics),
    psk: bytes(v1.handshake.resumePsk),
  }
  const gen1: Generation = {
    gen: 1,
    topics: topicsOf(v1.resume.sessionTopics),
    psk: bytes(v1.resume.nextResumePsk),
  }
  const walletDevice = bytes(v1.resume.walletDevicePrivate)
  const dappDevice = bytes(v1.resume.dappDevicePrivate)
  const device = {
    wallet: toBase64Url(p256.getPublicKey(walletDevice, false)),
    dapp: toBase64Url(p256.getPublicKey(dappDevice, false)),
  }
  const dappEphemeralPrivate = sha256(utf8(`${LABEL}/dapp-ephemeral`))
  const walletEphemeralPrivate = sha256(utf8(`${LABEL}/wallet-ephemeral`))
  const eI = keyPairFromPrivate(dappEphemeralPrivate)

  const initSigned = resumeInitSignedData(sessionId, GEN, ATTEMPT, eI.publicKey)
  const initPayload = encodeResumeInit({ n: ATTEMPT, sig: deviceSign(dappDevice, initSigned) })
  const replySigned = resumeReplySignedData(sessionId, GEN, ATTEMPT, eI.publicKey, false)
  const replyPayload = encodeResumeReply({ sig: deviceSign(walletDevice, replySigned), superseded: false })
  const init = startResume({
    role: 'dapp',
    sessionId,
    resumePsk: gen1.psk,
    payload: initPayload,
    randomBytes: noRandom,
    e: eI,
  })
  const answer = answerResume({
    role: 'wallet',
    sessionId,
    resumePsk: gen1.psk,
    message1: init.message1,
    payload: replyPayload,
    randomBytes: once(walletEphemeralPrivate),
  })
  const { result: d } = init.readReply(answer.message2)
  const w = answer.result
  if (hex(d.sendKey) !== hex(w.receiveKey) || hex(d.handshakeHash) !== hex(w.handshakeHash))
    throw new Error('resume vectors: the dApp and the wallet disagree')

  // The stored resume states (§8.2): before, and at each side's commit point.
  const walletBefore: ResumeState = {
    current: gen1,
    candidate: null,
    attempt: 1, // its resume of pairline-v1.json
    peerAttempt: 0,
    answered: null,
    retired: [gen0],
    device: { self: device.wallet, peer: device.dapp },
  }
  const dappBefore: ResumeState = {
    current: gen1,
    candidate: null,
    attempt: ATTEMPT, // stored before message 1 was sent
    peerAttempt: 1,
    answered: {
      msg1: toBase64Url(sha256(bytes(v1.resume.message1Hex))),
      msg2: toBase64Url(bytes(v1.resume.message2Hex)),
    },
    retired: [gen0],
    device: { self: device.dapp, peer: device.wallet },
  }
  const next = (r: typeof w) => ({ topics: r.topics, psk: r.resumePsk })
  const walletAnswered = answered(walletBefore, ATTEMPT, next(w), {
    msg1: toBase64Url(sha256(init.message1)),
    msg2: toBase64Url(answer.message2),
  })
  const dappAdopted = adopted(dappBefore, gen1, next(d))
  const walletConfirmed = committed(walletAnswered)

  // The first frames under generation 2's keys: the dApp's key confirmation is its unacknowledged
  // request, sent again (§8.2, §14.1); the wallet confirms the candidate on it and answers.
  const request = frame(d.sendKey, { ...REQ_3 }, 3, BEFORE.dapp.recvSeq)
  const response = frame(
    w.sendKey,
    { t: 'res', id: REQ_3.id, req: requestHash(REQ_3), result: SIGNATURE },
    6,
    3,
  )

  return {
    description: {
      section:
        'A resume with its first frames (PROTOCOL.md §8, §14.1): the second resume of the session of ' +
        'pairline-v1.json (same sessionId and device keys), started by the dApp after a page reload. ' +
        'Generation 1 is what that file’s resume made (its sessionTopics and nextResumePsk; generation 0 ' +
        'is its handshake’s). This is the dApp’s attempt 2 (its attempt 1 never reached the wallet). ' +
        'Noise_NNpsk0_25519_ChaChaPoly_SHA256, the dApp the initiator: c1 is the d2w key, c2 the w2d key.',
      gen: 'the generation resumed from (its psk is the Noise psk, its topics carry messages 1 and 2).',
      attempt: 'n: the dApp’s attempt number, stored before message 1 was sent.',
      before:
        'each channel when the dApp reloaded (§14.4): sendSeq, recvSeq and the seqs unacknowledged. ' +
        'The dApp’s request seq 3 never reached the wallet.',
      ephemerals: 'X25519 private keys: SHA-256 of the UTF-8 labels given; public keys X25519(priv, 9).',
      devices: 'the device public keys (SEC1 uncompressed, base64url) of pairline-v1.json’s resume.',
      message1:
        'resume message 1 (type 0x03), published on the dApp’s sending topic of generation 1 (its d2w): ' +
        'signedDataHex = "pairline/v1/resume/init-signature" ‖ sessionId ‖ u32be(gen) ‖ u32be(n) ‖ e_I; ' +
        'payloadText = {"v":1,"n":n,"sig":ECDSA-P256-SHA256 by the dApp device key, r ‖ s, RFC 6979 here}; ' +
        'paddedHex = pad(payloadText) as a handshake payload (§7.3, no floor); hex the whole message.',
      message2:
        'resume message 2 (type 0x04), published on the wallet’s sending topic of generation 1 (its w2d): ' +
        'signedDataHex = "pairline/v1/resume/reply-signature" ‖ sessionId ‖ u32be(gen) ‖ u32be(n) ‖ e_I ‖ 00.',
      generation2:
        'what both sides derive (§6.2 over the new ck and h): handshakeHash, topics (w2d, d2w: where every ' +
        'frame of generation 2 goes), resumePsk (the psk of generation 2), and the transport keys of epoch 0.',
      stored:
        'the JSON part of channel.resume (§14.4) and the psks stored after it, in the order current, ' +
        'candidate, retired: walletBefore and dappBefore; walletAnswered (the wallet’s commit point, ' +
        'written before message 2 is sent: generation 2 a candidate, answered = {msg1: base64url(SHA-256(' +
        'message 1)), msg2: base64url(message 2)}); dappAdopted (the dApp’s commit point, written before ' +
        'any frame under generation 2: generation 2 current, 1 and 0 retired); walletConfirmed (after the ' +
        'dApp’s first frame authenticated under the candidate’s keys).',
      frames:
        'the first transport frame under generation 2 each way (epoch 0, counter 0 under each new key): ' +
        'the dApp sends its unacknowledged request again, same seq 3, acking 5 (its key confirmation); the ' +
        'wallet, on it, commits generation 2 and answers with seq 6, acking 3. Published on generation 2’s topics.',
    },
    gen: GEN,
    attempt: ATTEMPT,
    before: BEFORE,
    ephemerals: {
      dapp: {
        label: `${LABEL}/dapp-ephemeral`,
        privateHex: hex(dappEphemeralPrivate),
        publicHex: hex(eI.publicKey),
      },
      wallet: {
        label: `${LABEL}/wallet-ephemeral`,
        privateHex: hex(walletEphemeralPrivate),
        publicHex: hex(keyPairFromPrivate(walletEphemeralPrivate).publicKey),
      },
    },
    devices: device,
    message1: {
      topic: gen1.topics.d2w,
      signedDataHex: hex(initSigned),
      payloadText: new TextDecoder().decode(initPayload),
      paddedHex: hex(pad(initPayload, MAX_HANDSHAKE_PAYLOAD)),
      hex: hex(init.message1),
    },
    message2: {
      topic: gen1.topics.w2d,
      signedDataHex: hex(replySigned),
      payloadText: new TextDecoder().decode(replyPayload),
      paddedHex: hex(pad(replyPayload, MAX_HANDSHAKE_PAYLOAD)),
      hex: hex(answer.message2),
    },
    generation2: {
      handshakeHash: hex(d.handshakeHash),
      topics: d.topics,
      resumePsk: hex(d.resumePsk),
      d2wKey: hex(d.sendKey),
      w2dKey: hex(d.receiveKey),
    },
    stored: {
      walletBefore: stored(walletBefore),
      dappBefore: stored(dappBefore),
      walletAnswered: stored(walletAnswered),
      dappAdopted: stored(dappAdopted),
      walletConfirmed: stored(walletConfirmed),
    },
    frames: [
      { direction: 'd2w', topic: d.topics.d2w, t: 'req', seq: 3, ack: BEFORE.dapp.recvSeq, ...request },
      { direction: 'w2d', topic: d.topics.w2d, t: 'res', seq: 6, ack: 3, ...response },
    ],
  }
}
