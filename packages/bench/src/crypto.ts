/**
 * Crypto rows: a session frame sealed and opened (FrameSender/FrameReceiver: padding, header, epoch
 * keys, replay window) against node:crypto's ChaCha20-Poly1305, bare noble, and WalletConnect's own
 * envelope (@walletconnect/utils encrypt/decrypt: type-0 envelope, base64), rounds alternating. The
 * SDK's `#primitives` is node:crypto in this process (what it runs in Node) and noble in a child
 * started with `--conditions=pairline-pure-js` (what browsers run; pureJsChild.ts). The floors
 * beside the goals: bare noble against node:crypto (what no pure-JS frame can beat), noble sealing a
 * 64-byte frame's padded bytes (framing apart from padding), X25519 in node:crypto with JWK keys
 * (the cheapest import, not for secrets) and in WebCrypto (async, the browsers' native path).
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  randomBytes,
  webcrypto,
} from 'node:crypto'
import { chacha20poly1305 } from '@noble/ciphers/chacha'
import { x25519 } from '@noble/curves/ed25519'
import { FrameReceiver, FrameSender } from '@pairline/sdk/protocol'
import { decrypt, encrypt } from '@walletconnect/utils'
import { library } from '../../sdk/src/protocol/noise/library.js'
import * as native from '../../sdk/src/protocol/noise/primitives.node.js'
import { alternate, cpuPerAsyncOp, cpuPerOp, type Row, ratioGoal } from './measure.js'
import { startPureJs } from './pureJs.js'

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

// The floor of a bytes-in, bytes-out X25519 on node:crypto: raw keys imported as JWK with both
// halves (OpenSSL's raw-key path; PKCS#8 goes through its slower DER decoder and derives the public
// key again). JWK puts the secret in a base64url string, which the SDK's rules forbid: the SDK
// imports DER (primitives.node.ts), and this row shows what that costs.
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

/**
 * WebCrypto X25519 as a native path would run it on both platforms (browsers, and Node's
 * crypto.subtle): the private key generated inside WebCrypto, non-extractable, so no raw secret to
 * import; per operation the peer's raw public key is imported and deriveBits run. Async.
 */
async function webCryptoX25519(): Promise<() => Promise<Uint8Array>> {
  const subtle = webcrypto.subtle
  const pair = (await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits'])) as CryptoKeyPair
  const peer = x25519.getPublicKey(new Uint8Array(randomBytes(32)))
  return async () => {
    const pub = await subtle.importKey('raw', peer, { name: 'X25519' }, false, [])
    return new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: pub }, pair.privateKey, 256))
  }
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
  const webX25519 = await webCryptoX25519()
  if (native.library.aead !== 'node:crypto' || JSON.stringify(library) !== JSON.stringify(native.library))
    throw new Error(`the SDK runs ${JSON.stringify(library)} in this process, not node:crypto`)
  const pure = await startPureJs()
  const sealOpen = (pt: Uint8Array) => {
    if (pair.tx.counter > 1e6) pair = framePair()
    return pair.rx.open(pair.tx.seal(pt, NOW), NOW)
  }
  const r = await alternate({
    oursKib: () => cpuPerOp(() => sealOpen(kib), n),
    pureKib: () => pure.measure('frameKib', n),
    nodeKib: () => cpuPerOp(() => nodeSealOpen(key, nonce, ad, kib), n),
    nobleKib: () =>
      cpuPerOp(() => {
        const ct = chacha20poly1305(key, nonce, ad).encrypt(kib)
        chacha20poly1305(key, nonce, ad).decrypt(ct)
      }, n),
    wcKib: () =>
      cpuPerOp(() => decrypt({ symKey: wcKey, encoded: encrypt({ symKey: wcKey, message: wcMessage }) }), n),
    oursSeal64: () => cpuPerOp(() => sealOnly.seal(small, NOW), n),
    pureSeal64: () => pure.measure('seal64', n),
    pureNobleKib: () => pure.measure('nobleKib', n),
    // bare noble in the pure-JS child too: the framing rows compare within one process
    pureNobleSeal64: () => pure.measure('nobleSeal64', n),
    pureNobleSealPadded64: () => pure.measure('nobleSealPadded64', n),
    nodeSeal64: () =>
      cpuPerOp(() => {
        const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 })
        c.setAAD(ad, { plaintextLength: small.length })
        Buffer.concat([c.update(small), c.final(), c.getAuthTag()])
      }, n),
    nobleX25519: () => cpuPerOp(() => x25519.getSharedSecret(priv, peer), n / 20),
    nativeX25519: () => cpuPerOp(() => native.scalarMult(priv, peer), n / 8),
    nobleBase: () => cpuPerOp(() => x25519.getPublicKey(priv), n / 20),
    nativeBase: () => cpuPerOp(() => native.scalarMultBase(priv), n / 8),
    nodeX25519: () => cpuPerOp(() => nodeX25519(priv, own, peer), n / 4),
    webX25519: () => cpuPerAsyncOp(webX25519, n / 4),
  })
  await pure.stop()
  const section = 'crypto'
  const wc = 'WalletConnect envelope encrypt+decrypt (@walletconnect/utils 2.25.0)'
  const nodeFloor = 'node:crypto ChaCha20-Poly1305 seal+open'
  return [
    ratioGoal(
      {
        section,
        quantity: 'frame seal+open, 1 KiB (Node: the SDK on node:crypto)',
        unit: 'µs',
        ours: r.oursKib,
        baselineName: nodeFloor,
        baseline: r.nodeKib,
      },
      2.5,
    ),
    {
      ...ratioGoal(
        {
          section,
          quantity: 'frame seal+open, 1 KiB, against WalletConnect (Node: the SDK on node:crypto)',
          unit: 'µs',
          ours: r.oursKib,
          baselineName: wc,
          baseline: r.wcKib,
        },
        1 / 3,
      ),
      goal: '≤ 0.33x (3x faster)',
    },
    {
      section,
      quantity:
        'frame seal+open, 1 KiB, pure JS (the SDK on noble, as browsers run it: a pairline-pure-js child)',
      unit: 'µs',
      ours: r.pureKib,
      baselineName: nodeFloor,
      baseline: r.nodeKib,
      note: 'WebCrypto has no ChaCha20-Poly1305, so browsers have no native path',
    },
    {
      section,
      quantity: 'frame seal+open, 1 KiB, pure JS, against WalletConnect',
      unit: 'µs',
      ours: r.pureKib,
      baselineName: wc,
      baseline: r.wcKib,
    },
    {
      section,
      quantity: 'frame seal+open, 1 KiB, pure JS, against bare noble (framing over the pure-JS floor)',
      unit: 'µs',
      ours: r.pureKib,
      baselineName: 'bare noble chacha20poly1305 seal+open, 1 KiB (the same pure-JS process)',
      baseline: r.pureNobleKib,
    },
    {
      section,
      quantity: 'bare noble chacha20poly1305 seal+open, 1 KiB (the floor of any pure-JS frame)',
      unit: 'µs',
      ours: r.nobleKib,
      baselineName: nodeFloor,
      baseline: r.nodeKib,
    },
    ratioGoal(
      {
        section,
        quantity: 'frame seal, 64 B (framing overhead), pure JS',
        unit: 'µs',
        ours: r.pureSeal64,
        baselineName: 'bare noble chacha20poly1305 seal, 64 B (the same pure-JS process)',
        baseline: r.pureNobleSeal64,
        note: 'ours pads every frame to at least 256 B (PROTOCOL.md §6 padding)',
      },
      1.3,
    ),
    {
      section,
      quantity: 'frame seal, 64 B, pure JS, against noble sealing its 258 padded bytes (framing alone)',
      unit: 'µs',
      ours: r.pureSeal64,
      baselineName: 'bare noble chacha20poly1305 seal, 258 B (the same pure-JS process)',
      baseline: r.pureNobleSealPadded64,
    },
    {
      section,
      quantity: 'frame seal, 64 B (Node: the SDK on node:crypto)',
      unit: 'µs',
      ours: r.oursSeal64,
      baselineName: 'node:crypto ChaCha20-Poly1305 seal, 64 B',
      baseline: r.nodeSeal64,
      note: 'padded to 258 B, and a cipher context per frame',
    },
    {
      section,
      quantity: 'one X25519 exchange (Node: the SDK on node:crypto, keys imported from DER each time)',
      unit: 'µs',
      ours: r.nativeX25519,
      baselineName: 'node:crypto X25519, keys imported from JWK (base64url: not for secrets)',
      baseline: r.nodeX25519,
      note: "the difference is OpenSSL 3's DER decoder",
    },
    {
      section,
      quantity: 'one X25519 public key (Node: the SDK on node:crypto, PKCS#8 in, SPKI out)',
      unit: 'µs',
      ours: r.nativeBase,
      baselineName: 'noble x25519.getPublicKey (pure JS)',
      baseline: r.nobleBase,
    },
    {
      section,
      quantity: 'one X25519 exchange, pure JS (noble: what browsers run; 7 operations per pairing)',
      unit: 'µs',
      ours: r.nobleX25519,
      baselineName: 'the same in Node (the SDK on node:crypto, keys imported from DER)',
      baseline: r.nativeX25519,
    },
    {
      section,
      quantity: 'one X25519 exchange, pure JS, against WebCrypto',
      unit: 'µs',
      ours: r.nobleX25519,
      baselineName: 'WebCrypto X25519 (crypto.subtle in Node, async: raw peer key imported + deriveBits)',
      baseline: r.webX25519,
      note: 'not adopted in browsers: WebCrypto is async while the handshake (protocol/) is synchronous; Node takes node:crypto',
    },
  ]
}
