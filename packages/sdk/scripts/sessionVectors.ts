import { secp256k1 } from '@noble/curves/secp256k1'
import { sha256 } from '@noble/hashes/sha2'
import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { TEST_NOW } from '@pairline/testkit/protocol'
import canonicalize from 'canonicalize'
import { hashMessage } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import type { Body, SessionMessage } from '../src/messages/envelope.js'
import { encodeSessionMessage, isReliable } from '../src/messages/envelope.js'
import { requestHash } from '../src/messages/requestId.js'
import { toBase64Url, utf8 } from '../src/protocol/bytes.js'
import { FRAME_MIN_PADDED, MAX_FRAME_PLAINTEXT } from '../src/protocol/frame.js'
import { FrameSender } from '../src/protocol/frameCipher.js'
import { pad } from '../src/protocol/padding.js'
import { type SignInRequest, signInMessage } from '../src/protocol/signIn.js'
import { buildResumeVectors } from './sessionResumeVectors.js'

/**
 * Session-layer vectors (docs/vectors/pairline-v1-session.json, PROTOCOL.md §14): one session's
 * conversation with a message of every type, each with its `seq` and `ack` as the channel numbers
 * them (§14.1), its exact JSON text and its transport frame; a request/response exchange with the
 * request hash (§14.5); the two messages that only occur before verification; and a resume with
 * its first frames (./sessionResumeVectors.ts). Checked by packages/sdk/src/messages/sessionVectors.test.ts
 * and sessionResumeVectors.test.ts.
 */

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
type Direction = 'w2d' | 'd2w'

const ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const CHAIN = 'eip155:1'
/** Keys used nowhere else (so no counter repeats under any key of the other vectors). */
const KEY_INFO = { w2d: 'pairline/v1/vectors/session/w2d', d2w: 'pairline/v1/vectors/session/d2w' }
const REQ_1 = {
  t: 'req',
  id: toBase64Url(sha256(utf8('request 1')).subarray(0, 16)),
  method: 'personal_sign',
  params: ['0x68656c6c6f', ADDRESS],
  chainId: CHAIN,
  expiresAt: TEST_NOW + 300,
} as const
const REQ_2 = {
  t: 'req',
  id: toBase64Url(sha256(utf8('request 2')).subarray(0, 16)),
  method: 'eth_sendTransaction',
  params: [{ from: ADDRESS, to: '0x0000000000000000000000000000000000000001', value: '0x1' }],
  chainId: CHAIN,
  expiresAt: TEST_NOW + 300,
} as const
const SIGNATURE = `0x${'ab'.repeat(65)}` // opaque to the session layer

const CONVERSATION: [Direction, Body][] = [
  [
    'w2d',
    {
      t: 'approve',
      accounts: [`${CHAIN}:${ADDRESS}`],
      chains: [CHAIN],
      methods: ['personal_sign', 'eth_sendTransaction'],
      events: ['accountsChanged', 'chainChanged'],
      chainId: CHAIN,
      expiresAt: TEST_NOW + 7 * 86400,
    },
  ],
  ['d2w', { t: 'confirm' }],
  ['d2w', { ...REQ_1 }],
  ['w2d', { t: 'ack' }],
  ['w2d', { t: 'res', id: REQ_1.id, req: requestHash(REQ_1), result: SIGNATURE }],
  ['d2w', { ...REQ_2 }],
  [
    'w2d',
    {
      t: 'res',
      id: REQ_2.id,
      req: requestHash(REQ_2),
      error: { code: 4001, message: 'The user rejected the request.' },
    },
  ],
  ['w2d', { t: 'event', name: 'accountsChanged', data: [ADDRESS] }],
  ['w2d', { t: 'event', name: 'chainChanged', data: CHAIN }],
  ['w2d', { t: 'extend', expiresAt: TEST_NOW + 14 * 86400 }],
  ['d2w', { t: 'ping' }],
  ['w2d', { t: 'pong' }],
  ['d2w', { t: 'close', code: 4900, message: 'The dApp ended the session.' }],
]

/** Before verification only (§5.1, §14.2): not part of a verified session's conversation. */
const BEFORE_VERIFICATION: [Direction, Body][] = [
  ['d2w', { t: 'abort', reason: 'burned' }],
  ['w2d', { t: 'reject', code: 4001, message: 'The user rejected the request.' }],
]

/**
 * Sign-in at connect (§14.7): the proposal's `signIn` (§4.3), the exact EIP-4361 message the wallet
 * builds from it for ADDRESS on chain 1, its EIP-191 hash and the signature by ADDRESS's key (the
 * first anvil test key; RFC 6979, so the same bytes every run), and the `approve` carrying them.
 */
const SIGN_IN_REQUEST: SignInRequest = {
  domain: 'dapp.example',
  uri: 'https://dapp.example/app',
  nonce: hex(sha256(utf8('pairline/v1/vectors/sign-in nonce')).subarray(0, 12)), // as the SDK makes one
  issuedAt: new Date(TEST_NOW * 1000).toISOString(),
  statement: 'Sign in to Test dApp.',
  expirationTime: new Date((TEST_NOW + 300) * 1000).toISOString(),
  resources: ['https://dapp.example/terms'],
}

function signInVector() {
  if (privateKeyToAddress(ANVIL_KEYS[0]) !== ADDRESS) throw new Error('ADDRESS is not the first anvil key')
  const message = signInMessage(SIGN_IN_REQUEST, ADDRESS, 1)
  const eip191Hash = hashMessage(message)
  const sig = secp256k1.sign(eip191Hash.slice(2), ANVIL_KEYS[0].slice(2)) // RFC 6979, low s
  const signature = `0x${sig.toCompactHex()}${(27 + sig.recovery).toString(16)}`
  const approve: Body = {
    t: 'approve',
    accounts: [`${CHAIN}:${ADDRESS}`],
    chains: [CHAIN],
    methods: ['personal_sign'],
    events: ['accountsChanged', 'chainChanged'],
    chainId: CHAIN,
    expiresAt: TEST_NOW + 7 * 86400,
    signIn: { message, signature },
  }
  return {
    request: SIGN_IN_REQUEST,
    address: ADDRESS,
    chainId: 1,
    message,
    eip191Hash,
    signature,
    approveJson: new TextDecoder().decode(encodeSessionMessage({ ...approve, v: 1, seq: 1, ack: 0 })),
  }
}

function numbered(list: [Direction, Body][], keys: Record<Direction, Uint8Array>) {
  const senders = {
    w2d: new FrameSender({ key: keys.w2d, nowSeconds: TEST_NOW }),
    d2w: new FrameSender({ key: keys.d2w, nowSeconds: TEST_NOW }),
  }
  const sendSeq = { w2d: 0, d2w: 0 }
  const out = list.map(([direction, body]) => {
    const other: Direction = direction === 'w2d' ? 'd2w' : 'w2d'
    // Every message arrives, in order: a side's ack is the other direction's last reliable seq.
    const seq = isReliable(body.t) ? ++sendSeq[direction] : 0
    const message: SessionMessage = { ...body, v: 1, seq, ack: sendSeq[other] }
    const plaintext = encodeSessionMessage(message)
    const frame = senders[direction].seal(plaintext, TEST_NOW)
    return {
      direction,
      t: body.t,
      seq,
      ack: message.ack,
      json: new TextDecoder().decode(plaintext),
      paddedHex: hex(pad(plaintext, MAX_FRAME_PLAINTEXT, FRAME_MIN_PADDED)),
      frameHex: hex(frame),
    }
  })
  senders.w2d.destroy()
  senders.d2w.destroy()
  return out
}

export function buildSessionVectors() {
  const keys = { w2d: sha256(utf8(KEY_INFO.w2d)), d2w: sha256(utf8(KEY_INFO.d2w)) }
  const conversation = numbered(CONVERSATION, keys)
  const pairingKeys = {
    w2d: sha256(utf8(`${KEY_INFO.w2d}/pairing`)),
    d2w: sha256(utf8(`${KEY_INFO.d2w}/pairing`)),
  }
  // Each the first message of its direction, with nothing received (ack 0).
  const beforeVerification = BEFORE_VERIFICATION.flatMap((m) => numbered([m], pairingKeys))
  const exchange = [REQ_1, REQ_2].map((r) => {
    const { id, method, params, chainId, expiresAt } = r
    const jcs = canonicalize({ id, method, params, chainId, expiresAt }) as string
    return { id, jcs, hash: requestHash(r) }
  })
  return {
    warning: 'TEST KEYS ONLY. Never use these keys for anything real.',
    description: {
      section:
        'Session messages (PROTOCOL.md §14) of one verified session, in conversation order, every message ' +
        'delivered once and in order, with a message of every type a verified session carries; then the two ' +
        'that only occur before verification. Each is a JSON object inside a transport frame (§7).',
      keys:
        'The transport key of each direction: SHA-256 of the UTF-8 label given (test keys used only here, so no ' +
        'counter repeats under a key of pairline-v1.json). One FrameSender per direction, epoch 0, counter from ' +
        '0, nowSeconds fixed: no rekey.',
      'conversation[].seq':
        'the sender’s sequence number in its direction: 1, 2, … for reliable messages, 0 for ack and pong (§14.1).',
      'conversation[].ack':
        'the highest seq the sender has received in order from the other side (all arrive here, in order).',
      'conversation[].json':
        'the exact UTF-8 text encoded: the type’s fields, then v, seq, ack (receivers accept any key order).',
      'conversation[].paddedHex': 'pad(json) with the frame floor of 256 bytes (§7.3): what is encrypted.',
      'conversation[].frameHex': 'the frame on the wire (§7.2).',
      exchange:
        'The requests of the conversation: `jcs` is the RFC 8785 text of { id, method, params, chainId, expiresAt } ' +
        'and `hash` = base64url(SHA-256(jcs)), which the `res` answering it carries as `req` (§14.5).',
      beforeVerification:
        'abort (dApp) and reject (wallet), each the first message of its direction (seq 1, ack 0), under the keys named.',
      signIn:
        'Sign-in at connect (§14.7): `request` is a proposal’s `signIn` (§4.3); `message` the EIP-4361 text for it, ' +
        '`address` and `chainId` (what the wallet signs and the dApp requires exactly); `eip191Hash` = ' +
        'keccak256("\\x19Ethereum Signed Message:\\n" ‖ decimal UTF-8 byte length ‖ message); `signature` by the ' +
        'first anvil test key (0xac09…ff80, RFC 6979), r ‖ s ‖ v; `approveJson` the approve carrying them (seq 1, ack 0).',
      resume: 'A resume with its first frames (§8, §14.1, §14.4): see resume.description.',
    },
    nowSeconds: TEST_NOW,
    keys: KEY_INFO,
    keysHex: { w2d: hex(keys.w2d), d2w: hex(keys.d2w) },
    conversation,
    exchange,
    beforeVerification: {
      keys: { w2d: `${KEY_INFO.w2d}/pairing`, d2w: `${KEY_INFO.d2w}/pairing` },
      messages: beforeVerification,
    },
    signIn: signInVector(),
    resume: buildResumeVectors(),
  }
}
