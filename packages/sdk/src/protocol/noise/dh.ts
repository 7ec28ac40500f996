import { scalarMult, scalarMultBase } from '#primitives'
import { PairlineError } from '../../errors/base.js'
import { ErrorCode } from '../../errors/codes.js'
import { assertBytes, wipe } from '../bytes.js'

export const DH_LEN = 32

const P = 2n ** 255n - 19n
/**
 * u-coordinates of the points of order 1, 2, 4 and 8 on Curve25519 and its twist, reduced mod p
 * (RFC 7748 §6.1, cr.yp.to/ecdh.html#validate). Encodings >= p (p, p+1, ...) reduce onto these.
 */
const LOW_ORDER_U = new Set<bigint>([
  0n,
  1n,
  P - 1n,
  325606250916557431795983626356110631294008115727848805560023387167927233504n,
  39382357235489614581723060781553021112529911719440698176882885853963445705823n,
])

function decodeU(pub: Uint8Array): bigint {
  let u = 0n
  // RFC 7748 §5: little-endian, and the top bit of the last byte is masked.
  for (let i = DH_LEN - 1; i >= 0; i--) u = (u << 8n) | BigInt(i === DH_LEN - 1 ? pub[i]! & 0x7f : pub[i]!)
  return u % P
}

/**
 * True for public keys that would force a predictable shared secret. Checked BEFORE the ladder:
 * the peer's key is public, so this comparison leaks nothing, and rejecting early means a
 * low-order key never reaches the handshake state (Noise §12.1 leaves this to the application;
 * noble-curves 1.9 and OpenSSL only reject the all-zero output, after the ladder).
 */
export function isLowOrderPublicKey(pub: Uint8Array): boolean {
  return LOW_ORDER_U.has(decodeU(pub))
}

export type KeyPair = { publicKey: Uint8Array; privateKey: Uint8Array }

export type RandomBytes = (length: number) => Uint8Array

/** X25519 key pair from 32 random bytes (clamping happens inside the ladder). */
export function keyPairFromPrivate(privateKey: Uint8Array): KeyPair {
  assertBytes(privateKey, DH_LEN, 'X25519 private key')
  return { privateKey: privateKey.slice(), publicKey: scalarMultBase(privateKey) }
}

export function generateKeyPair(randomBytes: RandomBytes): KeyPair {
  const priv = randomBytes(DH_LEN)
  try {
    return keyPairFromPrivate(priv)
  } finally {
    wipe(priv)
  }
}

/** X25519(priv, pub) with low-order and all-zero-output rejection. */
export function dh(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  assertBytes(privateKey, DH_LEN, 'X25519 private key')
  assertBytes(publicKey, DH_LEN, 'X25519 public key')
  if (isLowOrderPublicKey(publicKey)) {
    throw new PairlineError(ErrorCode.InvalidKey, 'The peer sent a low-order X25519 public key.')
  }
  let shared: Uint8Array
  try {
    shared = scalarMult(privateKey, publicKey)
  } catch (cause) {
    // One error whichever library refused (both refuse an all-zero output by throwing).
    throw new PairlineError(ErrorCode.InvalidKey, 'The X25519 exchange produced no shared secret.', { cause })
  }
  let acc = 0
  for (const b of shared) acc |= b
  // RFC 7748 §6.1: an all-zero output means a contributory-behaviour failure.
  if (acc === 0) throw new PairlineError(ErrorCode.InvalidKey, 'The X25519 shared secret is all zero.')
  return shared
}
