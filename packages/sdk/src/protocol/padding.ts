import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'

/**
 * Length hiding for frame payloads, after NIP-44 v2 ("calc_padded_len", "pad", "unpad"):
 * https://github.com/nostr-protocol/nips/blob/master/44.md
 * The relay only sees a bucketed size, never the exact plaintext length.
 *
 * Layout: u16be(n) ‖ plaintext ‖ zeros for n < 65536. NIP-44 stops at 65535 bytes; above that Pairline
 * writes 0x0000 ‖ u32be(n) ‖ plaintext ‖ zeros (a u16 length of 0 is otherwise invalid, so the marker
 * is unambiguous). Each n has exactly one encoding, which `unpad` insists on.
 */

/** Largest plaintext the u32 length prefix can describe; the default cap for `pad`. */
export const MAX_PADDED_PLAINTEXT = 0xffffffff

const SHORT_PREFIX = 2
const LONG_PREFIX = 6
const FIRST_LONG = 0x10000

/**
 * NIP-44 calc_padded_len: 32 for n <= 32; else p = 2^(floor(log2(n-1)) + 1), chunk = 32 if p <= 256
 * else p/8, result = chunk * (floor((n-1)/chunk) + 1). Overhead < chunk, so < n/4 past 256 bytes.
 */
export function paddedLength(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_PADDED_PLAINTEXT) {
    throw new PairlineError(ErrorCode.InvalidArgument, 'Padded length is defined for 1 to 2^32-1 bytes.', {
      details: `got ${String(n)}`,
    })
  }
  if (n <= 32) return 32
  // floor(log2(n-1)) + 1 == 32 - clz32(n-1) for 1 <= n-1 < 2^32: exact integer math, no float log to trust.
  const nextPower = 2 ** (32 - Math.clz32(n - 1))
  const chunk = nextPower <= 256 ? 32 : nextPower / 8
  return chunk * (Math.floor((n - 1) / chunk) + 1)
}

/**
 * The smallest padded length a layer uses (PROTOCOL.md §7.3): 32 (NIP-44) for handshake payloads,
 * FRAME_MIN_PADDED for transport frames. It must itself be a bucket, so every n keeps one encoding.
 */
function checkFloor(minPadded: number): number {
  if (!Number.isSafeInteger(minPadded) || minPadded < 32 || paddedLength(minPadded) !== minPadded) {
    throw new PairlineError(ErrorCode.InvalidArgument, 'The padding floor must be a padded length.', {
      details: `got ${String(minPadded)}`,
    })
  }
  return minPadded
}

/** max(minPadded, paddedLength(n)): the bucket of n under a floor. */
export function flooredLength(n: number, minPadded = 32): number {
  return Math.max(checkFloor(minPadded), paddedLength(n))
}

/**
 * True when `total` bytes can be the output of `pad` for some plaintext length, i.e. `2 +
 * flooredLength(n)` (n < 65,536) or `6 + flooredLength(n)` (n >= 65,536). No data is read:
 * receivers use it on the length of a ciphertext to drop junk before the AEAD (PROTOCOL.md §7.2).
 */
export function isPaddedSize(total: number, minPadded = 32): boolean {
  const floor = checkFloor(minPadded)
  if (!Number.isSafeInteger(total)) return false
  const fits = (l: number) => l === floor || (l > floor && paddedLength(l) === l)
  const short = total - SHORT_PREFIX
  if (short >= 32 && short <= FIRST_LONG) return fits(short)
  const long = total - LONG_PREFIX
  return long >= FIRST_LONG && long <= MAX_PADDED_PLAINTEXT && fits(long)
}

/**
 * The length `pad(plaintext, maxLength, minPadded)` returns: the prefix and the bucket. Refuses
 * what `pad` refuses, with the same errors.
 */
export function paddedSize(
  plaintext: Uint8Array,
  maxLength: number = MAX_PADDED_PLAINTEXT,
  minPadded = 32,
): number {
  if (!(plaintext instanceof Uint8Array)) {
    throw new PairlineError(ErrorCode.InvalidArgument, 'Plaintext must be a Uint8Array.')
  }
  if (!Number.isSafeInteger(maxLength) || maxLength < 1 || maxLength > MAX_PADDED_PLAINTEXT) {
    throw new PairlineError(ErrorCode.InvalidArgument, 'maxLength must be an integer from 1 to 2^32-1.', {
      details: `got ${String(maxLength)}`,
    })
  }
  const n = plaintext.length
  // NIP-44 forbids empty messages: a zero prefix would also collide with the long-form marker.
  if (n < 1) throw new PairlineError(ErrorCode.InvalidArgument, 'Cannot pad an empty payload.')
  if (n > maxLength) {
    throw new PairlineError(ErrorCode.PayloadTooLarge, 'Payload is too large to pad.', {
      details: `${n} bytes, limit ${maxLength}`,
    })
  }
  return (n < FIRST_LONG ? SHORT_PREFIX : LONG_PREFIX) + flooredLength(n, minPadded)
}

/**
 * Writes `pad(plaintext)` into `out`, zero-filled and exactly `paddedSize` bytes: the transport
 * frame pads in place, inside the buffer it then encrypts (no copy to wipe).
 */
export function padInto(out: Uint8Array, plaintext: Uint8Array): void {
  const n = plaintext.length
  const view = new DataView(out.buffer, out.byteOffset)
  // the long form leaves bytes 0..1 at 0x0000: its marker
  if (n < FIRST_LONG) view.setUint16(0, n)
  else view.setUint32(2, n)
  out.set(plaintext, n < FIRST_LONG ? SHORT_PREFIX : LONG_PREFIX)
}

/**
 * Pads `plaintext` (1..maxLength bytes) to its NIP-44 bucket behind a length prefix, and to at
 * least `minPadded` bytes (transport frames use a floor so that small answers look alike).
 */
export function pad(
  plaintext: Uint8Array,
  maxLength: number = MAX_PADDED_PLAINTEXT,
  minPadded = 32,
): Uint8Array {
  const out = new Uint8Array(paddedSize(plaintext, maxLength, minPadded)) // zero-filled: the padding
  padInto(out, plaintext)
  return out
}

function invalid(shortMessage: string, details: string): PairlineError {
  return new PairlineError(ErrorCode.PaddingInvalid, shortMessage, { details })
}

/**
 * Inverse of `pad`; returns a fresh copy of the plaintext. The input already passed the AEAD, but a
 * buggy or hostile peer can still send any bytes, so only the one canonical encoding is accepted.
 */
export function unpad(padded: Uint8Array, minPadded = 32): Uint8Array {
  return unpadView(padded, minPadded).slice()
}

/**
 * `unpad` without the copy: the plaintext as a view into `padded` (whose other bytes are the
 * length prefix and zeros). The transport frame uses it on the buffer it just decrypted.
 */
export function unpadView(padded: Uint8Array, minPadded = 32): Uint8Array {
  const floor = checkFloor(minPadded)
  if (!(padded instanceof Uint8Array)) {
    throw new PairlineError(ErrorCode.InvalidArgument, 'Padded payload must be a Uint8Array.')
  }
  const total = padded.length
  if (total < SHORT_PREFIX) {
    throw invalid(
      'Padded payload is shorter than its length prefix.',
      `length ${total}, need at least ${SHORT_PREFIX}`,
    )
  }
  const view = new DataView(padded.buffer, padded.byteOffset, padded.byteLength)
  let prefix = SHORT_PREFIX
  let n = view.getUint16(0)
  if (n === 0) {
    if (total < LONG_PREFIX) {
      throw invalid(
        'Padded payload is shorter than its length prefix.',
        `length ${total}, need at least ${LONG_PREFIX}`,
      )
    }
    prefix = LONG_PREFIX
    n = view.getUint32(2)
    if (n === 0) throw invalid('Padded payload declares an empty plaintext.', 'u32 length is 0')
    if (n < FIRST_LONG) {
      throw invalid('Padded payload uses the long length prefix for a short plaintext.', `length ${n}`)
    }
  }
  if (prefix + n > total) {
    throw invalid(
      'Padded payload declares more bytes than it holds.',
      `length ${n}, ${total - prefix} available`,
    )
  }
  const expected = prefix + Math.max(floor, paddedLength(n))
  if (total !== expected) {
    throw invalid(
      'Padded payload has the wrong length for its size.',
      `length ${total}, expected ${expected}`,
    )
  }
  // Check every padding byte (no early exit), so a malleable tail can never pass unnoticed.
  let acc = 0
  for (let i = prefix + n; i < total; i++) acc |= padded[i]!
  if (acc !== 0) throw invalid('Padded payload has non-zero padding bytes.', `length ${n}`)
  return padded.subarray(prefix, prefix + n)
}
