import { p256 } from '@noble/curves/p256'
import { sha256 } from '@noble/hashes/sha2'
import { fixedBytes, TEST_NOW, TEST_PROPOSAL, WALLET_META } from '@pairline/testkit/protocol'
import { concatBytes, fromBase64Url, utf8 } from '../src/protocol/bytes.js'
import { encodeFrameHeader, FRAME_MIN_PADDED, MAX_FRAME_PLAINTEXT } from '../src/protocol/frame.js'
import { FrameSender, nextEpochKey, type RekeyPolicy } from '../src/protocol/frameCipher.js'
import {
  createDappHandshake,
  MAX_HANDSHAKE_PAYLOAD,
  startWalletHandshake,
} from '../src/protocol/handshake.js'
import { LABELS } from '../src/protocol/labels.js'
import { keyPairFromPrivate, type RandomBytes } from '../src/protocol/noise/dh.js'
import { pad, paddedLength } from '../src/protocol/padding.js'
import { encodeHello, encodeProposal, encodeRefusal } from '../src/protocol/payloads.js'
import { answerResume, startResume } from '../src/protocol/resume.js'
import {
  encodeResumeInit,
  encodeResumeReply,
  resumeInitSignedData,
  resumeReplySignedData,
} from '../src/protocol/resumePayload.js'
import { deriveSas } from '../src/protocol/sas.js'
import { pairingTopics } from '../src/protocol/topics.js'
import { encodePairingUri, type PairingUri, pairingPrologue } from '../src/protocol/uri.js'

/**
 * Deterministic protocol test vectors (docs/vectors/pairline-v1.json). Pure: every input is a fixed
 * constant, and the only "randomness" is a queue of fixed 32-byte ephemeral keys. The test
 * packages/sdk/src/protocol/vectors.test.ts checks that the committed file equals this output.
 */

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

/** A RandomBytes that hands out the given 32-byte keys in order (copies: the caller wipes what it gets). */
function fixedRandom(name: string, keys: readonly Uint8Array[]): RandomBytes & { remaining(): number } {
  const queue = keys.map((k) => k.slice())
  const draw = (length: number): Uint8Array => {
    if (length !== 32)
      throw new Error(`${name}: asked for ${length} random bytes; vectors only supply 32-byte keys`)
    const next = queue.shift()
    if (next === undefined) throw new Error(`${name}: ran out of fixed random keys`)
    return next
  }
  return Object.assign(draw, { remaining: () => queue.length })
}

function assertUsedUp(...sources: { remaining(): number }[]): void {
  for (const s of sources) {
    if (s.remaining() !== 0) throw new Error('a fixed random key was never drawn: the flow changed')
  }
}

function topicPair(topics: { w2d: string; d2w: string }) {
  const bytes = (t: string) => hex(fromBase64Url(t) as Uint8Array)
  return { w2d: topics.w2d, d2w: topics.d2w, w2dHex: bytes(topics.w2d), d2wHex: bytes(topics.d2w) }
}

// Fixed inputs. fixedBytes(f) is the 32 bytes f, f+1, ..., f+31 (mod 256).
const DAPP_STATIC_PRIVATE = fixedBytes(0x40)
const PSK = fixedBytes(0x80)
const WALLET_EPHEMERAL_PRIVATE = fixedBytes(0xa0)
const DAPP_EPHEMERAL_PRIVATE = fixedBytes(0xc0)
const RESUME_WALLET_EPHEMERAL_PRIVATE = fixedBytes(0xd0)
const RESUME_DAPP_EPHEMERAL_PRIVATE = fixedBytes(0xe0)
const SECOND_WALLET_EPHEMERAL_PRIVATE = fixedBytes(0x10)
const BURN_DAPP_EPHEMERAL_PRIVATE = fixedBytes(0x30)
const RELAY_URL = 'wss://relay.pairline.dev'
const EXPIRES_AT = 1_800_000_300
const NOW = TEST_NOW
const CHAINS = ['eip155:1']
const HELLO = { v: 1 as const, wallet: WALLET_META }
const SECOND_HELLO = { v: 1 as const, wallet: { name: 'Second Wallet', url: 'https://second.example' } }
const REFUSAL = { v: 1 as const, refused: 'burned' as const }
const PROPOSAL = TEST_PROPOSAL
const REKEY_POLICY: RekeyPolicy = { afterMessages: 2, afterSeconds: 1e9 }
const ACCOUNT = '0x1111111111111111111111111111111111111111'
/** Transport frames in conversation order; each direction has its own sender and counter. */
const FRAMES: readonly { direction: 'w2d' | 'd2w'; text: string }[] = [
  { direction: 'w2d', text: `{"jsonrpc":"2.0","method":"accountsChanged","params":["${ACCOUNT}"]}` },
  {
    direction: 'd2w',
    text: `{"jsonrpc":"2.0","id":1,"method":"personal_sign","params":["0x48656c6c6f","${ACCOUNT}"]}`,
  },
  { direction: 'w2d', text: '{"jsonrpc":"2.0","id":1,"result":"0xabcdef"}' },
  { direction: 'd2w', text: '{"jsonrpc":"2.0","id":2,"method":"eth_chainId","params":[]}' },
  { direction: 'w2d', text: '{"jsonrpc":"2.0","id":2,"result":"0x1"}' },
]
/** Device keys (ECDSA P-256 scalars, §8.3). Signatures here are RFC 6979 (deterministic) for the file. */
const WALLET_DEVICE_PRIVATE = fixedBytes(0x31)
const DAPP_DEVICE_PRIVATE = fixedBytes(0x51)
const RESUME_ATTEMPT = 1
const RESUME_GEN = 0
const deviceSign = (priv: Uint8Array, data: Uint8Array) => p256.sign(sha256(data), priv).toCompactRawBytes()
const SAS_INPUTS = ['sas-0', 'sas-1', 'sas-2', 'sas-3', 'sas-4']
const PADDING_INPUTS = [1, 32, 33, 100, 256, 257, 1000, 65535, 65536, 70000]

export const VECTORS_WARNING = 'test keys only; never use these values'

export function buildVectors() {
  // ---- pairing ------------------------------------------------------------------------------
  const dappStatic = keyPairFromPrivate(DAPP_STATIC_PRIVATE)
  const uri: PairingUri = {
    version: 1,
    responderStatic: dappStatic.publicKey,
    psk: PSK.slice(),
    relayUrl: RELAY_URL,
    expiresAt: EXPIRES_AT,
    chains: CHAINS,
  }
  const uriText = encodePairingUri(uri)
  const prologue = pairingPrologue(uri)

  // ---- handshake (NKpsk0) ---------------------------------------------------------------------
  const walletRandom = fixedRandom('wallet', [WALLET_EPHEMERAL_PRIVATE])
  const dappRandom = fixedRandom('dApp', [DAPP_EPHEMERAL_PRIVATE, BURN_DAPP_EPHEMERAL_PRIVATE])
  const helloBytes = encodeHello(HELLO)
  const proposalBytes = encodeProposal(PROPOSAL)
  const wallet = startWalletHandshake({ uri, hello: HELLO, nowSeconds: NOW, randomBytes: walletRandom })
  const dapp = createDappHandshake({ uri, staticPrivateKey: DAPP_STATIC_PRIVATE, randomBytes: dappRandom })
  dapp.readHello(wallet.message1, NOW)
  const { message2, result: d } = dapp.writeProposal(PROPOSAL, NOW)
  const { result: w } = wallet.readProposal(message2, NOW)
  const burn = burnBySecondWallet(uri, dapp)
  dapp.destroy()
  assertUsedUp(walletRandom, dappRandom)
  if (
    w.sas !== d.sas ||
    hex(w.handshakeHash) !== hex(d.handshakeHash) ||
    hex(w.sendKey) !== hex(d.receiveKey)
  ) {
    throw new Error('wallet and dApp disagree: the vectors would be inconsistent')
  }
  const w2dKey = w.sendKey
  const d2wKey = w.receiveKey

  // ---- transport ----------------------------------------------------------------------------
  const senders = {
    w2d: new FrameSender({ key: w2dKey, nowSeconds: NOW, policy: REKEY_POLICY }),
    d2w: new FrameSender({ key: d2wKey, nowSeconds: NOW, policy: REKEY_POLICY }),
  }
  const frames = FRAMES.map(({ direction, text }) => {
    const sender = senders[direction]
    const plaintext = utf8(text)
    const frame = sender.seal(plaintext, NOW)
    // seal() advanced the counter; epoch is the one the frame was sealed in.
    const header = encodeFrameHeader({ epoch: sender.epoch, counter: sender.counter - 1 })
    if (hex(frame.subarray(0, header.length)) !== hex(header)) throw new Error('unexpected frame header')
    return {
      direction,
      epoch: sender.epoch,
      counter: sender.counter - 1,
      plaintext: text,
      plaintextHex: hex(plaintext),
      paddedHex: hex(pad(plaintext, MAX_FRAME_PLAINTEXT, FRAME_MIN_PADDED)),
      headerHex: hex(header),
      frameHex: hex(frame),
    }
  })
  senders.w2d.destroy()
  senders.d2w.destroy()

  // ---- resume (NNpsk0), started by the wallet -------------------------------------------------
  const resumeWalletRandom = fixedRandom('resume wallet', [RESUME_WALLET_EPHEMERAL_PRIVATE])
  const resumeDappRandom = fixedRandom('resume dApp', [RESUME_DAPP_EPHEMERAL_PRIVATE])
  const resumeWalletEphemeral = keyPairFromPrivate(RESUME_WALLET_EPHEMERAL_PRIVATE).publicKey
  const initSigned = resumeInitSignedData(w.sessionId, RESUME_GEN, RESUME_ATTEMPT, resumeWalletEphemeral)
  const initPayload = encodeResumeInit({
    n: RESUME_ATTEMPT,
    sig: deviceSign(WALLET_DEVICE_PRIVATE, initSigned),
  })
  const replySigned = resumeReplySignedData(
    w.sessionId,
    RESUME_GEN,
    RESUME_ATTEMPT,
    resumeWalletEphemeral,
    false,
  )
  const replyPayload = encodeResumeReply({
    sig: deviceSign(DAPP_DEVICE_PRIVATE, replySigned),
    superseded: false,
  })
  const resumeInit = startResume({
    role: 'wallet',
    sessionId: w.sessionId,
    resumePsk: w.resumePsk,
    payload: initPayload,
    randomBytes: resumeWalletRandom,
  })
  const answer = answerResume({
    role: 'dapp',
    sessionId: d.sessionId,
    resumePsk: d.resumePsk,
    message1: resumeInit.message1,
    payload: replyPayload,
    randomBytes: resumeDappRandom,
  })
  const { result: rw } = resumeInit.readReply(answer.message2)
  assertUsedUp(resumeWalletRandom, resumeDappRandom)
  if (rw.sas !== answer.result.sas || hex(rw.sendKey) !== hex(answer.result.receiveKey)) {
    throw new Error('resume: wallet and dApp disagree')
  }

  return {
    warning: VECTORS_WARNING,
    description:
      'Pairline protocol version 1 test vectors (docs/PROTOCOL.md). Every value is computed from the fixed ' +
      'inputs below with no real randomness: the only random draws in the protocol are the X25519 ephemeral ' +
      'private keys, given here. Byte strings are lowercase hex; *Text fields are UTF-8 text; topics are ' +
      'written as the protocol writes them (unpadded base64url) plus their bytes in hex. Generated by ' +
      'packages/sdk/scripts/generate-vectors.ts; checked by packages/sdk/src/protocol/vectors.test.ts.',
    pairing: {
      description: {
        section: 'The dApp creates a pairing and shows it as a QR code (PROTOCOL.md: pairing URI).',
        dappStaticPrivate: 'X25519 private key s of the dApp for this pairing (Noise responder static).',
        dappStaticPublic: 'X25519(dappStaticPrivate, 9): the URI field s.',
        psk: 'the 32-byte pre-shared key: the URI field k.',
        relayUrl: 'the relay WebSocket URL: the URI field r (percent-encoded as encodeURIComponent does).',
        expiresAt: 'unix seconds: the URI field x. The pairing is valid while now < expiresAt.',
        chains: 'CAIP-2 chain ids: the URI field c (comma-separated). No m field in this URI.',
        nowSeconds: 'the clock both sides use for the whole handshake (before expiresAt).',
        uri: 'the canonical pairing URI: pairline:1?s=<b64url>&k=<b64url>&r=<relay>&x=<expiry>&c=<chains>.',
        prologueText: 'the Noise prologue as text: the canonical URI with the &k=<psk> component removed.',
        prologueHex: 'the Noise prologue bytes: UTF-8 of prologueText.',
      },
      dappStaticPrivate: hex(DAPP_STATIC_PRIVATE),
      dappStaticPublic: hex(dappStatic.publicKey),
      psk: hex(PSK),
      relayUrl: RELAY_URL,
      expiresAt: EXPIRES_AT,
      chains: CHAINS,
      nowSeconds: NOW,
      uri: uriText,
      prologueText: new TextDecoder().decode(prologue),
      prologueHex: hex(prologue),
    },
    handshake: {
      description: {
        section:
          'Pairing handshake Noise_NKpsk0_25519_ChaChaPoly_SHA256: the wallet (initiator, knows s from the URI) ' +
          'sends message 1 on the pairing topic w2d, the dApp (responder) answers with message 2 on d2w. ' +
          'Prologue and psk come from the pairing section. Payloads are padded (padding section) before Noise ' +
          'encrypts them. Each message is a 2-byte envelope (version 0x01, type) followed by the Noise message.',
        protocolName: 'the Noise protocol name, hashed into the initial h and ck.',
        walletEphemeralPrivate: 'the wallet ephemeral private key e (the only random draw of the wallet).',
        walletEphemeralPublic:
          'X25519 public key of walletEphemeralPrivate: first 32 bytes of the Noise message 1.',
        dappEphemeralPrivate: 'the dApp ephemeral private key e (drawn when writing message 2).',
        dappEphemeralPublic:
          'X25519 public key of dappEphemeralPrivate: first 32 bytes of the Noise message 2.',
        helloText: 'the message 1 payload: compact JSON of the wallet hello.',
        helloPaddedHex:
          'pad(helloText): u16be length, the bytes, zeros up to paddedLength. The Noise payload of message 1.',
        message1Hex:
          '01 01 (envelope: version 1, type Hello) || e.pub || ENCRYPT(helloPadded) with its 16-byte tag.',
        proposalText: 'the message 2 payload: compact JSON of the session proposal.',
        proposalPaddedHex: 'pad(proposalText): the Noise payload of message 2.',
        message2Hex:
          '01 02 (envelope: version 1, type Proposal) || e.pub || ENCRYPT(proposalPadded) with its tag.',
        handshakeHash: 'the Noise handshake hash h after message 2 (both sides).',
        sas: 'short authentication string: HKDF-SHA256(ikm = h, salt = "pairline/v1/sas", info = "", L = 4) as u32be mod 10^6, 6 digits.',
        pairingTopics:
          'relay topics of the two handshake messages: HKDF-SHA256(ikm = psk, salt = "pairline/v1/pairing-topic", info = "w2d" or "d2w", L = 32), base64url and hex.',
        sessionTopics:
          'relay topics of the session: HKDF-SHA256(ikm = ck after message 2, salt = h, info = "pairline/v1/session-topic/w2d" or ".../d2w", L = 32).',
        sessionId:
          'HKDF-SHA256(ikm = ck, salt = h, info = "pairline/v1/session-id", L = 16). Public; kept across resumes.',
        resumePsk:
          'HKDF-SHA256(ikm = ck, salt = h, info = "pairline/v1/resume-psk", L = 32): the psk of the next resume.',
        w2dKey:
          'Split() first key (c1, initiator -> responder): the wallet send key, the dApp receive key, epoch 0.',
        d2wKey:
          'Split() second key (c2, responder -> initiator): the dApp send key, the wallet receive key, epoch 0.',
      },
      protocolName: 'Noise_NKpsk0_25519_ChaChaPoly_SHA256',
      walletEphemeralPrivate: hex(WALLET_EPHEMERAL_PRIVATE),
      walletEphemeralPublic: hex(keyPairFromPrivate(WALLET_EPHEMERAL_PRIVATE).publicKey),
      dappEphemeralPrivate: hex(DAPP_EPHEMERAL_PRIVATE),
      dappEphemeralPublic: hex(keyPairFromPrivate(DAPP_EPHEMERAL_PRIVATE).publicKey),
      helloText: new TextDecoder().decode(helloBytes),
      helloPaddedHex: hex(pad(helloBytes, MAX_HANDSHAKE_PAYLOAD)),
      message1Hex: hex(wallet.message1),
      proposalText: new TextDecoder().decode(proposalBytes),
      proposalPaddedHex: hex(pad(proposalBytes, MAX_HANDSHAKE_PAYLOAD)),
      message2Hex: hex(message2),
      handshakeHash: hex(w.handshakeHash),
      sas: w.sas,
      pairingTopics: topicPair(pairingTopics(PSK)),
      sessionTopics: topicPair(w.topics),
      sessionId: hex(w.sessionId),
      resumePsk: hex(w.resumePsk),
      w2dKey: hex(w2dKey),
      d2wKey: hex(d2wKey),
    },
    burn: {
      description: {
        section:
          'A second, different, valid message 1 for the same QR while the pairing above is not yet verified ' +
          '(PROTOCOL.md 4.4): the dApp burns the pairing. It answers the second wallet with a message 2 whose ' +
          'payload is a refusal (the first wallet is told by a session message abort, reason burned), then wipes ' +
          's and the psk. Only the second wallet can open this message 2; it reads PAIRING_BURNED.',
        secondWalletEphemeralPrivate: 'the second wallet ephemeral private key e.',
        secondWalletEphemeralPublic: 'its public key: first 32 bytes of its Noise message 1.',
        secondHelloText: 'the second wallet hello (message 1 payload).',
        message1Hex: 'the second wallet message 1: 01 01 || e.pub || ENCRYPT(pad(secondHelloText)).',
        dappEphemeralPrivate: 'the dApp ephemeral private key drawn to answer the second wallet.',
        dappEphemeralPublic: 'its public key: first 32 bytes of the refusal message 2.',
        refusalText: 'the refusal payload: compact JSON.',
        refusalPaddedHex: 'pad(refusalText): the Noise payload of the refusal message 2.',
        message2Hex: '01 02 (envelope: message 2) || e.pub || ENCRYPT(refusalPadded) with its tag.',
      },
      secondWalletEphemeralPrivate: hex(SECOND_WALLET_EPHEMERAL_PRIVATE),
      secondWalletEphemeralPublic: hex(keyPairFromPrivate(SECOND_WALLET_EPHEMERAL_PRIVATE).publicKey),
      secondHelloText: new TextDecoder().decode(encodeHello(SECOND_HELLO)),
      message1Hex: hex(burn.message1),
      dappEphemeralPrivate: hex(BURN_DAPP_EPHEMERAL_PRIVATE),
      dappEphemeralPublic: hex(keyPairFromPrivate(BURN_DAPP_EPHEMERAL_PRIVATE).publicKey),
      refusalText: new TextDecoder().decode(encodeRefusal(REFUSAL)),
      refusalPaddedHex: hex(pad(encodeRefusal(REFUSAL), MAX_HANDSHAKE_PAYLOAD)),
      message2Hex: hex(burn.message2),
    },
    transport: {
      description: {
        section:
          'Transport frames after the pairing handshake, one FrameSender per direction starting at epoch 0 with ' +
          'the handshake keys w2dKey and d2wKey. Frames are listed in conversation order; counters run per ' +
          'direction and never reset (not even at a rekey). Frame = header || ChaCha20-Poly1305(key of the ' +
          'epoch, nonce = 32 zero bits || u64le(counter), ad = header, padded plaintext).',
        rekeyPolicy:
          'Rekey() before a frame once afterMessages frames used the current epoch (or afterSeconds passed): so the third w2d frame is in epoch 1.',
        nowSeconds: 'the clock passed to every seal (no time-based rekey happens).',
        w2dEpoch1Key:
          'the w2d key of epoch 1: Noise Rekey(w2dKey) = first 32 bytes of ENCRYPT(w2dKey, nonce 2^64-1, ad = empty, 32 zero bytes).',
        frames: 'the frames; fields below.',
        'frames[].direction': 'w2d (wallet -> dApp, key w2dKey) or d2w (dApp -> wallet, key d2wKey).',
        'frames[].epoch': 'the key epoch the frame was sealed in (u32).',
        'frames[].counter': 'the per-direction frame counter, also the AEAD nonce (u64).',
        'frames[].plaintext': 'the application message as text (small JSON-RPC messages).',
        'frames[].plaintextHex': 'UTF-8 bytes of plaintext.',
        'frames[].paddedHex':
          'pad(plaintext) with the frame floor: at least 256 bytes after the length prefix (FRAME_MIN_PADDED). What is encrypted.',
        'frames[].headerHex':
          '14 bytes: version 0x01 || type 0x10 (transport) || u32be(epoch) || u64be(counter); the AEAD associated data.',
        'frames[].frameHex': 'the whole frame on the wire: header || ciphertext || 16-byte tag.',
      },
      rekeyPolicy: REKEY_POLICY,
      nowSeconds: NOW,
      w2dEpoch1Key: hex(nextEpochKey(w2dKey)),
      frames,
    },
    resume: {
      description: {
        section:
          'A resume of the session above, started by the wallet: Noise_NNpsk0_25519_ChaChaPoly_SHA256 with psk = ' +
          'handshake.resumePsk and prologue = "pairline/v1/resume" || sessionId. Message 1 (envelope type 0x03) ' +
          'goes wallet -> dApp, message 2 (type 0x04) dApp -> wallet. The session id does not change.',
        protocolName: 'the Noise protocol name.',
        initiator: 'which side started the resume (the Noise initiator).',
        sessionId: 'the session id from the pairing (handshake.sessionId), part of the prologue.',
        resumePsk: 'the psk of this handshake (handshake.resumePsk).',
        prologueHex: 'UTF-8 "pairline/v1/resume" followed by the 16 session id bytes.',
        walletEphemeralPrivate: 'the wallet (initiator) ephemeral private key of the resume.',
        walletEphemeralPublic: 'its public key: first 32 bytes of the Noise message 1.',
        dappEphemeralPrivate: 'the dApp (responder) ephemeral private key of the resume.',
        dappEphemeralPublic: 'its public key: first 32 bytes of the Noise message 2.',
        walletDevicePrivate: 'the wallet device key (ECDSA P-256 scalar; never leaves the device, §8.3).',
        walletDevicePublic: 'its public key, SEC1 uncompressed (65 bytes), as sent in the approval.',
        dappDevicePrivate: 'the dApp device key (ECDSA P-256 scalar).',
        dappDevicePublic: 'its public key, SEC1 uncompressed, as sent in the proposal.',
        gen: 'the generation of the resume psk used (0: the one from pairing).',
        attempt: 'the attempt number n (the wallet has started no resume before).',
        initSignedDataHex:
          '"pairline/v1/resume/init-signature" || sessionId || u32be(gen) || u32be(n) || walletEphemeralPublic.',
        replySignedDataHex:
          '"pairline/v1/resume/reply-signature" || sessionId || u32be(gen) || u32be(n) || walletEphemeralPublic || 00 (not superseded).',
        initPayloadText:
          'the wallet payload of message 1: n and the wallet device signature (ECDSA P-256 SHA-256 over initSignedDataHex, r || s, base64url). Signatures are randomized in the SDK; this one is RFC 6979.',
        initPayloadPaddedHex: 'pad(initPayloadText).',
        replyPayloadText: 'the dApp payload of message 2: the dApp device signature over replySignedDataHex.',
        replyPayloadPaddedHex: 'pad(replyPayloadText).',
        message1Hex: '01 03 (envelope: ResumeInit) || e.pub || ENCRYPT(initPayloadPadded) with its tag.',
        message2Hex: '01 04 (envelope: ResumeReply) || e.pub || ENCRYPT(replyPayloadPadded) with its tag.',
        handshakeHash: 'the new handshake hash h.',
        sas: 'the new SAS, derived from the new h as in the handshake section.',
        sessionTopics:
          'the new session topics (same exporter as the handshake section, over the new ck and h).',
        nextResumePsk: 'the new resume psk (the psk of the next resume; the old one is retired).',
        w2dKey:
          'new wallet -> dApp key, epoch 0: c1, since the wallet is the initiator here (the wallet send key).',
        d2wKey: 'new dApp -> wallet key, epoch 0: c2 (the wallet receive key).',
      },
      protocolName: 'Noise_NNpsk0_25519_ChaChaPoly_SHA256',
      initiator: 'wallet',
      sessionId: hex(w.sessionId),
      resumePsk: hex(w.resumePsk),
      prologueHex: hex(concatBytes(utf8(LABELS.resumePrologue), w.sessionId)),
      walletEphemeralPrivate: hex(RESUME_WALLET_EPHEMERAL_PRIVATE),
      walletEphemeralPublic: hex(keyPairFromPrivate(RESUME_WALLET_EPHEMERAL_PRIVATE).publicKey),
      dappEphemeralPrivate: hex(RESUME_DAPP_EPHEMERAL_PRIVATE),
      dappEphemeralPublic: hex(keyPairFromPrivate(RESUME_DAPP_EPHEMERAL_PRIVATE).publicKey),
      walletDevicePrivate: hex(WALLET_DEVICE_PRIVATE),
      walletDevicePublic: hex(p256.getPublicKey(WALLET_DEVICE_PRIVATE, false)),
      dappDevicePrivate: hex(DAPP_DEVICE_PRIVATE),
      dappDevicePublic: hex(p256.getPublicKey(DAPP_DEVICE_PRIVATE, false)),
      gen: RESUME_GEN,
      attempt: RESUME_ATTEMPT,
      initSignedDataHex: hex(initSigned),
      replySignedDataHex: hex(replySigned),
      initPayloadText: new TextDecoder().decode(initPayload),
      initPayloadPaddedHex: hex(pad(initPayload, MAX_HANDSHAKE_PAYLOAD)),
      replyPayloadText: new TextDecoder().decode(replyPayload),
      replyPayloadPaddedHex: hex(pad(replyPayload, MAX_HANDSHAKE_PAYLOAD)),
      message1Hex: hex(resumeInit.message1),
      message2Hex: hex(answer.message2),
      handshakeHash: hex(rw.handshakeHash),
      sas: rw.sas,
      sessionTopics: topicPair(rw.topics),
      nextResumePsk: hex(rw.resumePsk),
      w2dKey: hex(rw.sendKey),
      d2wKey: hex(rw.receiveKey),
    },
    sas: {
      description: {
        section: 'More SAS derivations (see handshake.description.sas) from arbitrary 32-byte hashes.',
        cases: 'input: text; handshakeHash: SHA-256(UTF-8 input), used as h; sas: the 6-digit SAS of h.',
      },
      cases: SAS_INPUTS.map((input) => {
        const h = sha256(utf8(input))
        return { input, handshakeHash: hex(h), sas: deriveSas(h) }
      }),
    },
    padding: {
      description: {
        section:
          'NIP-44 v2 padded lengths (calc_padded_len): 32 for n <= 32; else with p = 2^(floor(log2(n-1)) + 1) ' +
          'and chunk = 32 if p <= 256 else p/8, chunk * (floor((n-1)/chunk) + 1). The encoding is u16be(n) || ' +
          'plaintext || zeros for n < 65536, else 0x0000 || u32be(n) || plaintext || zeros.',
        cases:
          'n: plaintext length; paddedLength: plaintext plus zeros; encodedLength: with the 2- or 6-byte length prefix.',
      },
      cases: PADDING_INPUTS.map((n) => ({
        n,
        paddedLength: paddedLength(n),
        encodedLength: (n < 0x10000 ? 2 : 6) + paddedLength(n),
      })),
    },
  }
}

/** The second wallet's message 1 burns `dapp` (not yet verified); its refusal is message 2. */
function burnBySecondWallet(uri: PairingUri, dapp: ReturnType<typeof createDappHandshake>) {
  const random = fixedRandom('second wallet', [SECOND_WALLET_EPHEMERAL_PRIVATE])
  const second = startWalletHandshake({ uri, hello: SECOND_HELLO, nowSeconds: NOW, randomBytes: random })
  const codeOf = (f: () => unknown) => {
    try {
      f()
      return 'none'
    } catch (err) {
      return String((err as { code?: unknown }).code)
    }
  }
  if (codeOf(() => dapp.readHello(second.message1, NOW)) !== 'PAIRING_BURNED' || !dapp.burnNotice)
    throw new Error('burn: the second message 1 did not burn the pairing')
  const message2 = dapp.burnNotice
  if (codeOf(() => second.readProposal(message2, NOW)) !== 'PAIRING_BURNED')
    throw new Error('burn: the second wallet did not read the refusal')
  assertUsedUp(random)
  return { message1: second.message1, message2 }
}
