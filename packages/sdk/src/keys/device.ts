import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { copyBytes } from '../storage/internal.js'

/** A P-256 public key in SEC1 uncompressed form. */
export const DEVICE_PUBLIC_KEY_LENGTH = 65
/** An ECDSA P-256 signature as WebCrypto writes it: r ‖ s, 32 bytes each. */
export const DEVICE_SIGNATURE_LENGTH = 64

/**
 * The key that binds a stored session to this installation (docs/PROTOCOL.md §8.3): an ECDSA P-256
 * signing key whose private half storage never exports. Every resume message carries a signature
 * by it, so a copied record alone cannot resume. Implement it over an OS keystore if you have one.
 */
export interface DeviceKey {
  /** 65 bytes, SEC1 uncompressed. Public: it goes to the peer and into the stored record. */
  readonly publicKey: Uint8Array
  /** ECDSA P-256 with SHA-256 over `data`; 64 bytes r ‖ s. */
  sign(data: Uint8Array): Promise<Uint8Array>
}

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const

export function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle
  if (!s) {
    throw new PairlineError(ErrorCode.DeviceKeyUnavailable, 'WebCrypto (crypto.subtle) is not available.', {
      details: 'Browsers only expose it in secure contexts (https:// or localhost).',
    })
  }
  return s
}

/** A fresh key pair whose private key is non-extractable: script can sign with it, never read it. */
export function generateDeviceKeyPair(): Promise<CryptoKeyPair> {
  return subtle().generateKey(ECDSA, false, ['sign', 'verify'])
}

/** Wraps a WebCrypto ECDSA P-256 key pair (private key non-extractable) as a DeviceKey. */
export async function deviceKeyFromCryptoKeys(pair: CryptoKeyPair): Promise<DeviceKey> {
  const alg = pair.privateKey?.algorithm as EcKeyAlgorithm | undefined
  if (alg?.name !== 'ECDSA' || alg.namedCurve !== 'P-256' || pair.privateKey.extractable) {
    throw new PairlineError(
      ErrorCode.DeviceKeyUnavailable,
      'The device key must be a non-extractable ECDSA P-256 key.',
    )
  }
  const publicKey = new Uint8Array(await subtle().exportKey('raw', pair.publicKey))
  const privateKey = pair.privateKey
  return Object.freeze({
    publicKey,
    async sign(data: Uint8Array) {
      return new Uint8Array(await subtle().sign(SIGN, privateKey, copyBytes(data)))
    },
  })
}

/** A device key that lives as long as this process (nothing persists it). */
export async function memoryDeviceKey(): Promise<DeviceKey> {
  return deviceKeyFromCryptoKeys(await generateDeviceKeyPair())
}

/** Checks an ECDSA P-256 signature by `publicKey`. False for any bad key, signature or data. */
export async function verifyDeviceSignature(
  publicKey: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (publicKey.length !== DEVICE_PUBLIC_KEY_LENGTH || signature.length !== DEVICE_SIGNATURE_LENGTH)
    return false
  try {
    // importKey validates the point (on the curve, not the identity) before any verification.
    const key = await subtle().importKey('raw', copyBytes(publicKey), ECDSA, false, ['verify'])
    return await subtle().verify(SIGN, key, copyBytes(signature), copyBytes(data))
  } catch {
    return false
  }
}

/** Asserts a device public key's shape (65 bytes, SEC1 uncompressed prefix 0x04). */
export function isDevicePublicKey(bytes: Uint8Array | null): bytes is Uint8Array {
  return bytes !== null && bytes.length === DEVICE_PUBLIC_KEY_LENGTH && bytes[0] === 0x04
}
