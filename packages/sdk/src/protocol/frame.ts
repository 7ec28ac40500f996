import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { MessageType, peekMessageType, WIRE_VERSION } from './envelope.js'
import { TAG_LEN } from './noise/suite.js'
import { isPaddedSize, paddedLength } from './padding.js'

/** version(1) ‖ type(1) ‖ epoch(u32be) ‖ counter(u64be): the whole header is the AEAD's AD. */
export const FRAME_HEADER_LEN = 14

/**
 * Largest plaintext of one frame: 2 + paddedLength(n) + 16 must stay within Noise's 65,535-byte
 * message limit (§3), which puts the cap at n = 57,344 (paddedLength(57,345) is 65,536).
 */
export const MAX_FRAME_PLAINTEXT = 57_344
/**
 * Smallest padded plaintext of a frame (§7.3): every message of up to 256 bytes (a signature, a
 * transaction hash, a rejection, an ack) fills the same 256-byte bucket, so the relay cannot tell
 * an approval from a rejection by its size.
 */
export const FRAME_MIN_PADDED = 256
export const MIN_FRAME_LEN = FRAME_HEADER_LEN + 2 + FRAME_MIN_PADDED + TAG_LEN
export const MAX_FRAME_LEN = FRAME_HEADER_LEN + 2 + paddedLength(MAX_FRAME_PLAINTEXT) + TAG_LEN

export type FrameHeader = { epoch: number; counter: number }

export function encodeFrameHeader(header: FrameHeader): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_LEN)
  writeFrameHeader(out, header)
  return out
}

/** The header into the first FRAME_HEADER_LEN bytes of `out` (the sender writes the frame in one buffer). */
export function writeFrameHeader(out: Uint8Array, { epoch, counter }: FrameHeader): void {
  const view = new DataView(out.buffer, out.byteOffset)
  out[0] = WIRE_VERSION
  out[1] = MessageType.Transport
  view.setUint32(2, epoch)
  view.setUint32(6, Math.floor(counter / 2 ** 32))
  view.setUint32(10, counter >>> 0)
}

export type ParsedFrame = FrameHeader & { header: Uint8Array; ciphertext: Uint8Array }

/**
 * Parses a transport frame without any key. Counters of 2^53 and above are reported as
 * Number.POSITIVE_INFINITY so that every limit check rejects them.
 */
export function parseFrame(bytes: Uint8Array): ParsedFrame {
  if (peekMessageType(bytes) !== MessageType.Transport) {
    throw new PairlineError(ErrorCode.UnexpectedMessage, 'Expected a transport frame.')
  }
  // A length no padded plaintext has cannot be authentic: refuse it before anyone runs the AEAD.
  if (
    bytes.length < MIN_FRAME_LEN ||
    bytes.length > MAX_FRAME_LEN ||
    !isPaddedSize(bytes.length - FRAME_HEADER_LEN - TAG_LEN, FRAME_MIN_PADDED)
  ) {
    throw new PairlineError(ErrorCode.FrameMalformed, 'The transport frame has an impossible length.', {
      details: `${bytes.length} bytes; frames are ${FRAME_HEADER_LEN + TAG_LEN} + a padded length (§7.3), ${MIN_FRAME_LEN} to ${MAX_FRAME_LEN}`,
    })
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset)
  const hi = view.getUint32(6)
  const lo = view.getUint32(10)
  return {
    epoch: view.getUint32(2),
    counter: hi >= 2 ** 21 ? Number.POSITIVE_INFINITY : hi * 2 ** 32 + lo,
    header: bytes.subarray(0, FRAME_HEADER_LEN),
    ciphertext: bytes.subarray(FRAME_HEADER_LEN),
  }
}
