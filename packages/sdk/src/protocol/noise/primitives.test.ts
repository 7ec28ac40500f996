import { chacha20 } from '@noble/ciphers/chacha'
import { x25519 } from '@noble/curves/ed25519'
import { hkdf } from '@noble/hashes/hkdf'
import { sha256 } from '@noble/hashes/sha2'
import { propertySeed } from '@pairline/testkit/seed'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import hkdfVectors from '../../../vectors/rfc5869-hkdf-sha256.json' with { type: 'json' }
import x25519Vectors from '../../../vectors/rfc7748-x25519.json' with { type: 'json' }
import chachaVectors from '../../../vectors/rfc8439-chacha20poly1305.json' with { type: 'json' }
import { dh, isLowOrderPublicKey, keyPairFromPrivate } from './dh.js'
import { LOW_ORDER, le, ORDER8_A, ORDER8_B, P } from './lowOrder.fixture.js'
import { aeadDecrypt, aeadEncrypt, chachaNonce } from './suite.js'

fc.configureGlobal({ seed: propertySeed(import.meta.url) })

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('RFC 7748 X25519 (as dh() calls it)', () => {
  it.each(x25519Vectors.scalar_mult)('$id', (v) => {
    expect(toHex(dh(hex(v.scalar), hex(v.u)))).toBe(v.output)
  })

  it('§5.2 iterated test: 1 and 1,000 iterations', () => {
    let k: Uint8Array = hex(x25519Vectors.iterated.start)
    let u: Uint8Array = k.slice()
    const want = new Map(x25519Vectors.iterated.results.map((r) => [r.iterations, r.k]))
    for (let i = 1; i <= 1000; i++) {
      const r = dh(k, u)
      u = k
      k = r
      if (i === 1) expect(toHex(k)).toBe(want.get(1))
    }
    expect(toHex(k)).toBe(want.get(1000))
  })

  it('§6.1 Diffie-Hellman in both directions', () => {
    const v = x25519Vectors.diffie_hellman
    const alice = keyPairFromPrivate(hex(v.alice_private))
    const bob = keyPairFromPrivate(hex(v.bob_private))
    expect(toHex(alice.publicKey)).toBe(v.alice_public)
    expect(toHex(bob.publicKey)).toBe(v.bob_public)
    expect(toHex(dh(alice.privateKey, bob.publicKey))).toBe(v.shared_secret)
    expect(toHex(dh(bob.privateKey, alice.publicKey))).toBe(v.shared_secret)
  })
})

describe('low-order public keys', () => {
  const me = keyPairFromPrivate(hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'))
  it.each(LOW_ORDER.map((b) => [toHex(b), b] as const))('rejects u = %s', (_, pub) => {
    expect(isLowOrderPublicKey(pub)).toBe(true)
    expect(() => dh(me.privateKey, pub)).toThrowError(
      expect.objectContaining({
        code: 'INVALID_KEY',
        shortMessage: 'The peer sent a low-order X25519 public key.',
      }),
    )
  })
  it('the order-8 constants really have order 8 (their DH with a clamped scalar is all zero)', () => {
    // Clamped scalars are multiples of 8, so the ladder maps any low-order point to the identity,
    // which noble reports by throwing. This checks our constants independently of our blocklist.
    for (const u of [ORDER8_A, ORDER8_B, P - 1n, 1n]) {
      expect(() => x25519.getSharedSecret(me.privateKey, le(u))).toThrowError(
        /^invalid private or public key received$/,
      )
    }
  })
  it('accepts random valid keys', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (priv) => {
        const pub = keyPairFromPrivate(priv).publicKey
        expect(isLowOrderPublicKey(pub)).toBe(false)
        expect(dh(me.privateKey, pub)).toHaveLength(32)
      }),
      { numRuns: 50 },
    )
  })
  it('rejects wrong lengths and types', () => {
    expect(() => dh(me.privateKey, new Uint8Array(31))).toThrowErrorMatchingInlineSnapshot(`
      [PairlineError: X25519 public key must be a Uint8Array of 32 bytes.

      Details: got 31 bytes
      Code: INVALID_KEY]
    `)
    expect(() => dh(me.privateKey, 'ab' as unknown as Uint8Array)).toThrowError(
      expect.objectContaining({ code: 'INVALID_KEY' }),
    )
  })
})

describe('RFC 5869 HKDF-SHA256 (as noiseHkdf calls it)', () => {
  it.each(hkdfVectors.vectors)('$id', (v) => {
    const okm = hkdf(sha256, hex(v.ikm), hex(v.salt), hex(v.info), v.L)
    expect(toHex(okm)).toBe(v.okm)
  })
})

describe('RFC 8439 ChaCha20-Poly1305 (as aeadEncrypt calls it)', () => {
  it.each(chachaVectors.vectors)('$id', (v) => {
    const key = hex(v.key)
    const nonce = hex(v.nonce)
    const sealed = aeadEncrypt(key, nonce, hex(v.aad), hex(v.plaintext))
    expect(toHex(sealed)).toBe(v.ciphertext + v.tag)
    expect(toHex(aeadDecrypt(key, nonce, hex(v.aad), sealed))).toBe(v.plaintext)
    // The Poly1305 one-time key is ChaCha20 block 0 (RFC 8439 §2.6).
    expect(toHex(chacha20(key, nonce, new Uint8Array(32)))).toBe(v.poly1305_otk)
  })

  it('any single bit flip of ciphertext, tag, AD or nonce fails', () => {
    const v = chachaVectors.vectors[0]!
    const key = hex(v.key)
    const sealed = aeadEncrypt(key, hex(v.nonce), hex(v.aad), hex(v.plaintext))
    fc.assert(
      fc.property(
        fc.constantFrom('ct', 'ad', 'nonce'),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (what, i, bit) => {
          const ct = sealed.slice()
          const ad = hex(v.aad)
          const nonce = hex(v.nonce)
          const target = what === 'ct' ? ct : what === 'ad' ? ad : nonce
          target[i % target.length]! ^= 1 << bit
          expect(() => aeadDecrypt(key, nonce, ad, ct)).toThrowError(
            expect.objectContaining({
              code: 'FRAME_DECRYPT_FAILED',
              shortMessage: 'The ciphertext failed authentication.',
            }),
          )
        },
      ),
    )
  })
})

describe('Noise §12.3 ChaChaPoly nonce', () => {
  it('is 32 zero bits then the counter as a little-endian u64, for every counter below 2^53 (property)', () => {
    const reference = (n: number) => {
      const out = new Uint8Array(12)
      const view = new DataView(out.buffer)
      view.setBigUint64(4, BigInt(n), true)
      return out
    }
    expect([...chachaNonce(2 ** 32 + 0x01020304)]).toEqual([0, 0, 0, 0, 4, 3, 2, 1, 1, 0, 0, 0])
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect([...chachaNonce(n)]).toEqual([...reference(n)])
      }),
    )
  })
})
