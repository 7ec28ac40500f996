import { hkdf } from '@noble/hashes/hkdf'
import { sha256 } from '@noble/hashes/sha2'
import { assertBytes, utf8 } from './bytes.js'
import { LABELS } from './labels.js'

export const SAS_DIGITS = 6

/**
 * Short authentication string: HKDF-SHA256(ikm = h, salt = "pairline/v1/sas", info = "", L = 4),
 * read as a big-endian u32, mod 10^6, zero-padded to 6 digits (≈19.9 bits; bias < 2^-12).
 * h is public to anyone with the psk and the transcript: that is fine, the SAS only has to differ
 * between the two screens when someone else's ephemeral key sits in the middle (PROTOCOL.md §4).
 */
export function deriveSas(handshakeHash: Uint8Array): string {
  assertBytes(handshakeHash, 32, 'handshake hash')
  const out = hkdf(sha256, handshakeHash, utf8(LABELS.sasSalt), new Uint8Array(0), 4)
  const value = new DataView(out.buffer, out.byteOffset, 4).getUint32(0, false)
  return String(value % 10 ** SAS_DIGITS).padStart(SAS_DIGITS, '0')
}
