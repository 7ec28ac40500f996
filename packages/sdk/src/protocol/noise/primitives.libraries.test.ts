import { propertySeed } from '@pairline/testkit/seed'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as resolved from '#primitives'
import x25519Vectors from '../../../vectors/rfc7748-x25519.json' with { type: 'json' }
import chachaVectors from '../../../vectors/rfc8439-chacha20poly1305.json' with { type: 'json' }
import { LOW_ORDER } from './lowOrder.fixture.js'
import type { Primitives } from './primitives.js'
import * as noble from './primitives.noble.js'
import * as node from './primitives.node.js'

/**
 * Both implementations of `#primitives`, each imported directly, on the same official vectors and
 * against each other: node:crypto (what Node runs) and noble (what browsers and `pairline-pure-js`
 * run). The SDK's checks and errors over them (dh(), aeadDecrypt(): one code and message whichever
 * library refused) are primitives.test.ts, run on node:crypto and, in primitives.noble.test.ts, on
 * noble.
 */
fc.configureGlobal({ seed: propertySeed(import.meta.url) })

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
/** Whether `fn` throws. */
function refuses(fn: () => unknown): boolean {
  try {
    fn()
  } catch {
    return true
  }
  return false
}

const LIBRARIES: [string, Primitives][] = [
  ['node:crypto', node],
  ['noble', noble],
]

describe('which library runs what', () => {
  it('this Node passes the self-test for both primitives: node:crypto, and #primitives resolves to it', () => {
    expect(node.library).toEqual({ aead: 'node:crypto', x25519: 'node:crypto' })
    expect(noble.library).toEqual({ aead: 'noble', x25519: 'noble' })
    expect([resolved.seal, resolved.open, resolved.scalarMult, resolved.scalarMultBase]).toEqual([
      node.seal,
      node.open,
      node.scalarMult,
      node.scalarMultBase,
    ])
  })
})

describe.each(LIBRARIES)('%s', (_, p) => {
  describe('RFC 8439 ChaCha20-Poly1305', () => {
    it.each(chachaVectors.vectors)('$id: sealed and opened', (v) => {
      const sealed = p.seal(hex(v.key), hex(v.nonce), hex(v.aad), hex(v.plaintext))
      expect(toHex(sealed)).toBe(v.ciphertext + v.tag)
      expect(toHex(p.open(hex(v.key), hex(v.nonce), hex(v.aad), hex(v.ciphertext + v.tag)))).toBe(v.plaintext)
    })

    it('seals in place: `out` starting with the plaintext', () => {
      const v = chachaVectors.vectors[0]!
      const pt = hex(v.plaintext)
      const buf = new Uint8Array(pt.length + 16)
      buf.set(pt)
      const sealed = p.seal(hex(v.key), hex(v.nonce), hex(v.aad), buf.subarray(0, pt.length), buf)
      expect(sealed).toBe(buf)
      expect(toHex(buf)).toBe(v.ciphertext + v.tag)
    })

    it('refuses a flipped bit anywhere in ciphertext, tag, nonce or associated data', () => {
      const v = chachaVectors.vectors[0]!
      const parts = { key: hex(v.key), nonce: hex(v.nonce), ad: hex(v.aad), ct: hex(v.ciphertext + v.tag) }
      let accepted = 0
      for (const field of ['ct', 'nonce', 'ad'] as const) {
        for (let bit = 0; bit < parts[field].length * 8; bit += 7) {
          const t = { ...parts, [field]: parts[field].slice() }
          t[field][bit >> 3]! ^= 1 << (bit & 7)
          if (!refuses(() => p.open(t.key, t.nonce, t.ad, t.ct))) accepted++
        }
      }
      expect(accepted).toBe(0)
    })
  })

  describe('RFC 7748 X25519', () => {
    it.each(x25519Vectors.scalar_mult)('$id', (v) => {
      expect(toHex(p.scalarMult(hex(v.scalar), hex(v.u)))).toBe(v.output)
    })

    it('§5.2 iterated: 1 and 1,000 iterations', () => {
      let k: Uint8Array = hex(x25519Vectors.iterated.start)
      let u: Uint8Array = k.slice()
      const want = new Map(x25519Vectors.iterated.results.map((r) => [r.iterations, r.k]))
      for (let i = 1; i <= 1000; i++) {
        const r = p.scalarMult(k, u)
        u = k
        k = r
        if (i === 1) expect(toHex(k)).toBe(want.get(1))
      }
      expect(toHex(k)).toBe(want.get(1000))
    })

    it('§6.1: both public keys and the shared secret both ways', () => {
      const v = x25519Vectors.diffie_hellman
      expect(toHex(p.scalarMultBase(hex(v.alice_private)))).toBe(v.alice_public)
      expect(toHex(p.scalarMultBase(hex(v.bob_private)))).toBe(v.bob_public)
      expect(toHex(p.scalarMult(hex(v.alice_private), hex(v.bob_public)))).toBe(v.shared_secret)
      expect(toHex(p.scalarMult(hex(v.bob_private), hex(v.alice_public)))).toBe(v.shared_secret)
    })

    it('refuses every low-order u itself, all-zero output (behind dh()’s check before the ladder)', () => {
      const scalar = hex(x25519Vectors.diffie_hellman.alice_private)
      expect(LOW_ORDER.filter((u) => !refuses(() => p.scalarMult(scalar, u)))).toEqual([])
    })
  })
})

describe('node:crypto and noble agree', () => {
  it('seal and open: any key, nonce, associated data and plaintext', () => {
    const nonce = fc.uint8Array({ minLength: 12, maxLength: 12 })
    const data = (max: number) => fc.uint8Array({ maxLength: max })
    fc.assert(
      fc.property(bytes32, nonce, data(64), data(2048), (key, n, ad, pt) => {
        const sealed = node.seal(key, n, ad, pt)
        expect(toHex(sealed)).toBe(toHex(noble.seal(key, n, ad, pt)))
        expect(toHex(node.open(key, n, ad, sealed))).toBe(toHex(pt))
        expect(toHex(noble.open(key, n, ad, sealed))).toBe(toHex(pt))
      }),
      { numRuns: 200 },
    )
  })

  it('a tampered ciphertext: both refuse it', () => {
    fc.assert(
      fc.property(bytes32, fc.uint8Array({ maxLength: 256 }), fc.nat(), (key, pt, at) => {
        const nonce = new Uint8Array(12)
        const sealed = noble.seal(key, nonce, new Uint8Array(0), pt)
        sealed[at % sealed.length]! ^= 1 << (at % 8)
        expect(refuses(() => node.open(key, nonce, new Uint8Array(0), sealed))).toBe(true)
        expect(refuses(() => noble.open(key, nonce, new Uint8Array(0), sealed))).toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  it('scalarMult and scalarMultBase: any scalar and any u', () => {
    fc.assert(
      fc.property(bytes32, bytes32, (k, u) => {
        expect(toHex(node.scalarMultBase(k))).toBe(toHex(noble.scalarMultBase(k)))
        expect(toHex(node.scalarMult(k, u))).toBe(toHex(noble.scalarMult(k, u)))
      }),
      { numRuns: 64 },
    )
  })
})
