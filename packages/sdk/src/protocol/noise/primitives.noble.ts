import { chacha20poly1305 } from '@noble/ciphers/chacha'
import { x25519 } from '@noble/curves/ed25519'
import type { Primitives } from './primitives.js'

// Pure JS, every runtime: what browsers run (WebCrypto has no ChaCha20-Poly1305, and is async).
// Named exports, not one object: a bundle keeps what it calls, under minified names.

export const library: Primitives['library'] = { aead: 'noble', x25519: 'noble' }

// A fresh cipher per message: noble refuses to reuse an instance, and counters are the nonces.
export const seal: Primitives['seal'] = (key, nonce, ad, pt, out) =>
  chacha20poly1305(key, nonce, ad).encrypt(pt, out)

export const open: Primitives['open'] = (key, nonce, ad, ct) => chacha20poly1305(key, nonce, ad).decrypt(ct)

export const scalarMult: Primitives['scalarMult'] = x25519.getSharedSecret

export const scalarMultBase: Primitives['scalarMultBase'] = x25519.getPublicKey
