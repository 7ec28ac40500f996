import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'

/** First byte of every Pairline message on the wire. */
export const WIRE_VERSION = 1

/** Second byte: what follows (docs/PROTOCOL.md §6). */
export const MessageType = {
  /** Noise NKpsk0 message 1, wallet -> dApp, pairing topic w2d */
  Hello: 0x01,
  /** Noise NKpsk0 message 2, dApp -> wallet, pairing topic d2w */
  Proposal: 0x02,
  /** Noise NNpsk0 message 1 of a resume, on the sender's session topic */
  ResumeInit: 0x03,
  /** Noise NNpsk0 message 2 of a resume */
  ResumeReply: 0x04,
  /** Transport frame */
  Transport: 0x10,
} as const
export type MessageType = (typeof MessageType)[keyof typeof MessageType]

const KNOWN = new Set<number>(Object.values(MessageType))

/** Reads the two-byte envelope header without trusting anything after it. */
export function peekMessageType(bytes: Uint8Array): MessageType {
  if (!(bytes instanceof Uint8Array) || bytes.length < 2) {
    throw new PairlineError(ErrorCode.FrameMalformed, 'The message is too short to have a header.')
  }
  if (bytes[0] !== WIRE_VERSION) {
    throw new PairlineError(ErrorCode.FrameUnsupportedVersion, 'The message has an unsupported version.', {
      details: `version byte ${bytes[0]}`,
    })
  }
  const type = bytes[1]!
  if (!KNOWN.has(type)) {
    throw new PairlineError(ErrorCode.FrameMalformed, 'The message has an unknown type.', {
      details: `type ${type}`,
    })
  }
  return type as MessageType
}

export function withEnvelope(type: MessageType, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + body.length)
  out[0] = WIRE_VERSION
  out[1] = type
  out.set(body, 2)
  return out
}

/** Checks the header is exactly `type` and returns the body (a view). */
export function openEnvelope(bytes: Uint8Array, type: MessageType): Uint8Array {
  const got = peekMessageType(bytes)
  if (got !== type) {
    throw new PairlineError(ErrorCode.UnexpectedMessage, 'The message has the wrong type for this phase.', {
      details: `expected type ${type}, got ${got}`,
    })
  }
  return bytes.subarray(2)
}
