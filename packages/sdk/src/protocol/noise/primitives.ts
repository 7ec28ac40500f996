export type PrimitiveLibrary = 'node:crypto' | 'noble'

/**
 * The two primitives every Noise operation ends in (ChaCha20-Poly1305, X25519), bytes in and bytes
 * out, synchronous. Two implementations, chosen when the package is resolved, never at run time:
 * `#primitives` in package.json "imports" is primitives.node.ts (node:crypto) under the `node`
 * condition and primitives.noble.ts everywhere else, or anywhere under `pairline-pure-js`
 * (PROTOCOL.md §12 "Implementations"). Each exports these five names. The checks and the errors
 * are the callers' (suite.ts, dh.ts): lengths, low-order keys, all-zero outputs, FRAME_DECRYPT_FAILED
 * and INVALID_KEY with one message each, whichever library ran.
 */
export type Primitives = {
  /** Which library runs each primitive: node:crypto falls back to noble per primitive (its self-test). */
  readonly library: { readonly aead: PrimitiveLibrary; readonly x25519: PrimitiveLibrary }
  /**
   * ChaCha20-Poly1305 (RFC 8439) ciphertext || tag. `out`, when given, is exactly pt.length + 16
   * bytes and may start with `pt` itself (encryption in place).
   */
  seal(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, pt: Uint8Array, out?: Uint8Array): Uint8Array
  /** The plaintext of ciphertext || tag (at least 16 bytes); throws if it fails authentication. */
  open(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, ct: Uint8Array): Uint8Array
  /** X25519(scalar, u) (RFC 7748 §5); throws where the library refuses (an all-zero output). */
  scalarMult(scalar: Uint8Array, u: Uint8Array): Uint8Array
  /** X25519(scalar, 9): the public key of a private key. */
  scalarMultBase(scalar: Uint8Array): Uint8Array
}
