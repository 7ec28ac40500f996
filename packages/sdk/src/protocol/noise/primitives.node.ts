import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type KeyObject,
} from 'node:crypto'
import { wipe } from '../bytes.js'
import type { Primitives } from './primitives.js'
import * as noble from './primitives.noble.js'

const TAG = 16
const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

function nodeSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  ad: Uint8Array,
  pt: Uint8Array,
  out?: Uint8Array,
): Uint8Array {
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG })
  c.setAAD(ad, { plaintextLength: pt.length })
  // update() returns a new buffer, so `out` may start with `pt` (encryption in place).
  const ct = c.update(pt)
  c.final()
  const sealed = out ?? new Uint8Array(pt.length + TAG)
  sealed.set(ct)
  sealed.set(c.getAuthTag(), pt.length)
  return sealed
}

function nodeOpen(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, ct: Uint8Array): Uint8Array {
  const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG })
  d.setAAD(ad, { plaintextLength: ct.length - TAG })
  d.setAuthTag(ct.subarray(ct.length - TAG))
  const pt = d.update(ct.subarray(0, ct.length - TAG))
  try {
    d.final()
  } catch (err) {
    // OpenSSL hands out the plaintext before it checks the tag: unauthenticated, it goes.
    wipe(pt)
    throw err
  }
  // Its own memory (node allocates update()'s output per call, never from the Buffer pool).
  return view(pt)
}

// RFC 8410 encodings of a raw X25519 key: PKCS#8 PrivateKeyInfo and SPKI, 32 key bytes at the end.
const PKCS8_X25519 = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x6e,
  0x04,
  0x22,
  0x04,
  0x20,
)
const SPKI_X25519 = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00)

/**
 * The private key into OpenSSL through DER, never JWK: a secret in a base64 string cannot be wiped.
 * The KeyObject's copy lives in OpenSSL memory, cleansed when the object is freed (PROTOCOL §12).
 */
function privateKeyObject(scalar: Uint8Array): KeyObject {
  // Buffer.alloc, not allocUnsafe: its own memory, not a slice of the shared pool.
  const der = Buffer.alloc(PKCS8_X25519.length + 32)
  der.set(PKCS8_X25519)
  der.set(scalar, PKCS8_X25519.length)
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
  } finally {
    wipe(der)
  }
}

function publicKeyObject(u: Uint8Array): KeyObject {
  const der = Buffer.alloc(SPKI_X25519.length + 32)
  der.set(SPKI_X25519)
  der.set(u, SPKI_X25519.length)
  return createPublicKey({ key: der, format: 'der', type: 'spki' })
}

function nodeScalarMult(scalar: Uint8Array, u: Uint8Array): Uint8Array {
  // OpenSSL refuses an all-zero output (RFC 7748 §6.1) by throwing, as noble does.
  const shared = diffieHellman({ privateKey: privateKeyObject(scalar), publicKey: publicKeyObject(u) })
  const out = Uint8Array.from(shared)
  wipe(shared)
  return out
}

function nodeScalarMultBase(scalar: Uint8Array): Uint8Array {
  // OpenSSL derives the public key when the private key is imported; exported as SPKI, its tail.
  const spki = createPublicKey(privateKeyObject(scalar)).export({ format: 'der', type: 'spki' })
  return Uint8Array.from(spki.subarray(SPKI_X25519.length))
}

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b))

/**
 * Known answers at load: RFC 8439 §2.8.2 (sealed, opened, a flipped tag bit refused) and RFC 7748
 * §6.1 (Alice's public key, her shared secret with Bob). node:crypto without ChaCha20-Poly1305 or
 * X25519 (Electron's BoringSSL, FIPS builds) or giving another answer: noble for that primitive.
 */
function aeadAnswers(): boolean {
  try {
    const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f')
    const nonce = hex('070000004041424344454647')
    const ad = hex('50515253c0c1c2c3c4c5c6c7')
    const pt = new TextEncoder().encode(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    )
    const sealed = nodeSeal(key, nonce, ad, pt)
    const want = hex(
      'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b61161ae10b594f09e26a7e902ecbd0600691',
    )
    if (!same(sealed, want) || !same(nodeOpen(key, nonce, ad, sealed), pt)) return false
    sealed[sealed.length - 1]! ^= 1
    try {
      nodeOpen(key, nonce, ad, sealed)
      return false
    } catch {
      return true
    }
  } catch {
    return false
  }
}

function x25519Answers(): boolean {
  try {
    const alice = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a')
    const bob = hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f')
    return (
      same(
        nodeScalarMultBase(alice),
        hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'),
      ) &&
      same(
        nodeScalarMult(alice, bob),
        hex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742'),
      )
    )
  } catch {
    return false
  }
}

const nativeAead = aeadAnswers()
const nativeX25519 = x25519Answers()

// node:crypto where its self-test passed, noble otherwise (per primitive).
export const library: Primitives['library'] = {
  aead: nativeAead ? 'node:crypto' : 'noble',
  x25519: nativeX25519 ? 'node:crypto' : 'noble',
}
export const seal: Primitives['seal'] = nativeAead ? nodeSeal : noble.seal
export const open: Primitives['open'] = nativeAead ? nodeOpen : noble.open
export const scalarMult: Primitives['scalarMult'] = nativeX25519 ? nodeScalarMult : noble.scalarMult
export const scalarMultBase: Primitives['scalarMultBase'] = nativeX25519
  ? nodeScalarMultBase
  : noble.scalarMultBase
