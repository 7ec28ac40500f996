import { blake2s } from '@noble/hashes/blake2s'
import { hkdf } from '@noble/hashes/hkdf'
import { sha256 } from '@noble/hashes/sha2'
import type { CHash } from '@noble/hashes/utils'
import { open, seal } from '#primitives'
import { PairlineError } from '../../errors/base.js'
import { ErrorCode } from '../../errors/codes.js'

/** The hash half of a Noise suite: SHA256 (what Pairline uses) or BLAKE2s (for the vectors). */
export type NoiseHash = {
  name: 'SHA256' | 'BLAKE2s'
  hash: CHash
  /** HASHLEN: both are 32. */
  hashLen: 32
}

export const SHA256: NoiseHash = { name: 'SHA256', hash: sha256, hashLen: 32 }
export const BLAKE2S: NoiseHash = { name: 'BLAKE2s', hash: blake2s, hashLen: 32 }

/**
 * Noise §4.3 HKDF(chaining_key, ikm, n): RFC 5869 with salt = ck and empty info, n outputs of
 * HASHLEN bytes. Returned as one buffer the caller slices.
 */
export function noiseHkdf(h: NoiseHash, ck: Uint8Array, ikm: Uint8Array, outputs: 2 | 3): Uint8Array {
  return hkdf(h.hash, ikm, ck, new Uint8Array(0), outputs * h.hashLen)
}

export const KEY_LEN = 32
export const TAG_LEN = 16

/** Noise §12.3 ChaChaPoly nonce: 32 zero bits then the 64-bit counter, little-endian. */
export function chachaNonce(n: number): Uint8Array {
  const nonce = new Uint8Array(12)
  // A byte store keeps v mod 256, exact for every counter below 2^53: no DataView per frame.
  for (let i = 4, v = n; i < 12; i++, v = Math.floor(v / 256)) nonce[i] = v
  return nonce
}

/** The Noise-reserved nonce 2^64-1, used only by Rekey() (§4.2, §11.3). */
export const REKEY_NONCE = new Uint8Array([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])

/**
 * ChaCha20-Poly1305 ciphertext || tag. `out`, when given, is exactly pt.length + TAG_LEN bytes and
 * may start with `pt` itself (encryption in place); 4-byte aligned, noble's ChaCha20 XORs a word at
 * a time. The primitive itself: nothing to check that the types do not.
 */
export const aeadEncrypt: (
  key: Uint8Array,
  nonce: Uint8Array,
  ad: Uint8Array,
  pt: Uint8Array,
  out?: Uint8Array,
) => Uint8Array = seal

export function aeadDecrypt(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, ct: Uint8Array): Uint8Array {
  if (ct.length < TAG_LEN) {
    throw new PairlineError(ErrorCode.FrameDecryptFailed, 'The ciphertext is shorter than its tag.')
  }
  try {
    return open(key, nonce, ad, ct)
  } catch (cause) {
    // One error whichever library refused (noble: 'invalid tag'; OpenSSL: 'unable to authenticate').
    throw new PairlineError(ErrorCode.FrameDecryptFailed, 'The ciphertext failed authentication.', { cause })
  }
}
