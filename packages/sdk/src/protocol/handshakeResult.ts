import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { wipe } from './bytes.js'
import type { HandshakeState } from './noise/handshakeState.js'
import { isPaddedSize, unpad } from './padding.js'
import { deriveSas } from './sas.js'
import { exportSession, type TopicPair } from './topics.js'

// What both handshakes (pairing §4, resume §8) share: the result of Split() and payload checks.
export type Role = 'wallet' | 'dapp'

/** Largest padded handshake payload we accept (metadata and namespaces are small). */
export const MAX_HANDSHAKE_PAYLOAD = 8192

/**
 * What a completed handshake (pairing or resume) leaves one side with. All Uint8Arrays are
 * secrets except sessionId and handshakeHash; `destroy` them via wipeHandshakeResult.
 */
export type HandshakeResult = {
  role: Role
  /** key for frames this side sends (c1 for the Noise initiator, c2 for the responder) */
  sendKey: Uint8Array
  receiveKey: Uint8Array
  handshakeHash: Uint8Array
  /** 6-digit short authentication string both screens show */
  sas: string
  topics: TopicPair
  resumePsk: Uint8Array
  sessionId: Uint8Array
}

export function wipeHandshakeResult(r: HandshakeResult): void {
  wipe(r.sendKey, r.receiveKey, r.resumePsk)
}

export function finish(
  hs: HandshakeState,
  role: Role,
  initiator: boolean,
  sessionId?: Uint8Array,
): HandshakeResult {
  const { c1, c2, handshakeHash, chainingKey } = hs.split()
  const ex = exportSession(chainingKey, handshakeHash)
  wipe(chainingKey)
  const k1 = c1.exportKey() as Uint8Array
  const k2 = c2.exportKey() as Uint8Array
  c1.destroy()
  c2.destroy()
  const result: HandshakeResult = {
    role,
    sendKey: initiator ? k1 : k2,
    receiveKey: initiator ? k2 : k1,
    handshakeHash,
    sas: deriveSas(handshakeHash),
    topics: ex.topics,
    resumePsk: ex.resumePsk,
    // A resumed session keeps the identity it got at pairing.
    sessionId: sessionId ? sessionId.slice() : ex.sessionId,
  }
  if (sessionId) wipe(ex.sessionId)
  return result
}

export function openPayload(bytes: Uint8Array): Uint8Array {
  try {
    return unpad(bytes)
  } catch (cause) {
    throw new PairlineError(ErrorCode.HandshakeMalformed, 'The handshake payload has invalid padding.', {
      cause,
    })
  }
}

export function checkPayloadSize(body: Uint8Array): void {
  // 32 (e) + 2 (length) + up to MAX_HANDSHAKE_PAYLOAD + 16 (tag)
  if (body.length > 32 + 2 + MAX_HANDSHAKE_PAYLOAD + 16) {
    throw new PairlineError(ErrorCode.HandshakeMalformed, 'The handshake message is too large.')
  }
  // Every payload is padded (§4.2): any other length is junk, refused before the DH and the AEAD.
  if (!isPaddedSize(body.length - 32 - 16)) {
    throw new PairlineError(ErrorCode.HandshakeMalformed, 'The handshake message has an impossible length.', {
      details: `${body.length} bytes after the envelope; expected 48 + a padded length (§7.3)`,
    })
  }
}
