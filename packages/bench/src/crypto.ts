/**
 * Crypto rows: a session frame sealed and opened (FrameSender/FrameReceiver: padding, header, epoch
 * keys, replay window) against node:crypto's ChaCha20-Poly1305, bare noble, and WalletConnect's own
 * envelope (@walletconnect/utils encrypt/decrypt: type-0 envelope, base64), all in this process,
 * rounds alternating.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  randomBytes,
} from 'node:crypto'
import { chacha20poly1305 } from '@noble/ciphers/chacha'
import { x25519 } from '@noble/curves/ed25519'
import { FrameReceiver, FrameSender } from '@pairline/sdk/protocol'
import { decrypt, encrypt } from '@walletconnect/utils'
import { alternate, cpuPerOp, type Row, ratioGoal } from './measure.js'

const NOW = 1_800_000_000

function framePair() {
  const key = randomBytes(32)
  const tx = new FrameSender({ key: new Uint8Array(key), nowSeconds: NOW })
  const rx = new FrameReceiver({ key: new Uint8Array(key) })
  return { tx, rx }
}

function nodeSealOpen(key: Buffer, nonce: Buffer, ad: Buffer, pt: Uint8Array): Buffer {
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 })
  c.setAAD(ad, { plaintextLength: pt.length })
  const ct = Buffer.concat([c.update(pt), c.final()])
  const tag = c.getAuthTag()
  const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 })
  d.setAAD(ad, { plaintextLength: ct.length })
  d.setAuthTag(tag)
  return Buffer.concat([d.update(ct), d.final()])
}

// Raw X25519 keys into node:crypto KeyObjects, as a bytes-in, bytes-out interface beside noble's
// would have to (the import is part of each operation's cost). JWK with both halves: a PKCS#8
// import costs ~10x more (OpenSSL derives the public key again). Note JWK means the secret in
// base64url, which the SDK's rules forbid: one more reason not to adopt it as is.
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url')

function nodeX25519(privateKey: Uint8Array, ownPublic: Uint8Array, publicKey: Uint8Array): Buffer {
  return diffieHellman({
    privateKey: createPrivateKey({
      key: { kty: 'OKP', crv: 'X25519', d: b64(privateKey), x: b64(ownPublic) },
      format: 'jwk',
    }),
    publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64(publicKey) }, format: 'jwk' }),
  })
}

export async function cryptoRows(n = 4000): Promise<Row[]> {
  const kib = new Uint8Array(randomBytes(1024))
  const small = new Uint8Array(randomBytes(64))
  const key = randomBytes(32)
  const nonce = Buffer.alloc(12)
  const ad = Buffer.alloc(12)
  const priv = new Uint8Array(randomBytes(32))
  const peer = x25519.getPublicKey(new Uint8Array(randomBytes(32)))
  const own = x25519.getPublicKey(priv)
  if (!nodeX25519(priv, own, peer).equals(x25519.getSharedSecret(priv, peer)))
    throw new Error('X25519 disagrees')
  const wcKey = key.toString('hex')
  const wcMessage = JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'x', params: 'a'.repeat(1024 - 50) })
  let pair = framePair()
  // its own sender: frames sealed and never opened must not run ahead of `pair`'s receiver
  const sealOnly = framePair().tx
  const sealOpen = (pt: Uint8Array) => {
    if (pair.tx.counter > 1e6) pair = framePair()
    return pair.rx.open(pair.tx.seal(pt, NOW), NOW)
  }
  const r = await alternate({
    oursKib: () => cpuPerOp(() => sealOpen(kib), n),
    nodeKib: () => cpuPerOp(() => nodeSealOpen(key, nonce, ad, kib), n),
    wcKib: () =>
      cpuPerOp(() => decrypt({ symKey: wcKey, encoded: encrypt({ symKey: wcKey, message: wcMessage }) }), n),
    oursSeal64: () => cpuPerOp(() => sealOnly.seal(small, NOW), n),
    nobleSeal64: () => cpuPerOp(() => chacha20poly1305(key, nonce, ad).encrypt(small), n),
    nobleX25519: () => cpuPerOp(() => x25519.getSharedSecret(priv, peer), n / 20),
    nodeX25519: () => cpuPerOp(() => nodeX25519(priv, own, peer), n / 4),
  })
  const section = 'crypto'
  return [
    ratioGoal(
      {
        section,
        quantity: 'frame seal+open, 1 KiB',
        unit: 'µs',
        ours: r.oursKib,
        baselineName: 'node:crypto ChaCha20-Poly1305 seal+open',
        baseline: r.nodeKib,
      },
      2.5,
    ),
    {
      ...ratioGoal(
        {
          section,
          quantity: 'frame seal+open, 1 KiB, against WalletConnect',
          unit: 'µs',
          ours: r.oursKib,
          baselineName: 'WalletConnect envelope encrypt+decrypt (@walletconnect/utils 2.25.0)',
          baseline: r.wcKib,
        },
        1 / 3,
      ),
      goal: '≤ 0.33x (3x faster)',
    },
    ratioGoal(
      {
        section,
        quantity: 'frame seal, 64 B (framing overhead)',
        unit: 'µs',
        ours: r.oursSeal64,
        baselineName: 'bare noble chacha20poly1305 seal, 64 B',
        baseline: r.nobleSeal64,
        note: 'ours pads every frame to at least 256 B (PROTOCOL.md §6 padding)',
      },
      1.3,
    ),
    {
      section,
      quantity: 'one X25519 operation, pure JS (noble, what the SDK runs; 7 per pairing)',
      unit: 'µs',
      ours: r.nobleX25519,
      baselineName: 'node:crypto X25519 (keys imported from raw bytes each time)',
      baseline: r.nodeX25519,
      note: 'not adopted: WebCrypto X25519 is async and the protocol layer is synchronous, so a native path would be a second code path per side',
    },
  ]
}
