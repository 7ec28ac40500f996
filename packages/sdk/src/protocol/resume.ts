import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { assertBytes, concatBytes, utf8 } from './bytes.js'
import { MessageType, openEnvelope, withEnvelope } from './envelope.js'
import {
  checkPayloadSize,
  finish,
  type HandshakeResult,
  MAX_HANDSHAKE_PAYLOAD,
  openPayload,
  type Role,
} from './handshakeResult.js'
import { LABELS } from './labels.js'
import type { RandomBytes } from './noise/dh.js'
import { HandshakeState } from './noise/handshakeState.js'
import { PATTERNS } from './noise/patterns.js'
import { pad } from './padding.js'

function resumeState(
  initiator: boolean,
  sessionId: Uint8Array,
  resumePsk: Uint8Array,
  randomBytes: RandomBytes,
) {
  assertBytes(resumePsk, 32, 'resume psk')
  assertBytes(sessionId, 16, 'session id')
  return new HandshakeState({
    pattern: PATTERNS.NNpsk0,
    initiator,
    prologue: concatBytes(utf8(LABELS.resumePrologue), sessionId),
    psks: [resumePsk],
    randomBytes,
  })
}

export type ResumeInitiator = {
  readonly message1: Uint8Array
  readReply(message2: Uint8Array): { payload: Uint8Array; result: HandshakeResult }
  destroy(): void
}

/**
 * Resume: a fresh Noise_NNpsk0 handshake keyed by the previous session's resume psk, so every
 * resume gets new ephemeral keys (forward secrecy) and new topics. Either side may start it.
 */
export function startResume(o: {
  role: Role
  sessionId: Uint8Array
  resumePsk: Uint8Array
  payload: Uint8Array
  randomBytes: RandomBytes
}): ResumeInitiator {
  const hs = resumeState(true, o.sessionId, o.resumePsk, o.randomBytes)
  const message1 = withEnvelope(
    MessageType.ResumeInit,
    hs.writeMessage(pad(o.payload, MAX_HANDSHAKE_PAYLOAD)),
  )
  let done = false
  return {
    message1,
    readReply(message2) {
      if (done) throw new PairlineError(ErrorCode.HandshakeWrongState, 'This resume is already complete.')
      const body = openEnvelope(message2, MessageType.ResumeReply)
      checkPayloadSize(body)
      const padded = hs.readMessage(body)
      // Authenticated from here on: a badly padded reply is a broken peer and ends the attempt.
      done = true
      let payload: Uint8Array
      try {
        payload = openPayload(padded)
      } catch (cause) {
        hs.destroy()
        throw cause
      }
      return { payload, result: finish(hs, o.role, true, o.sessionId) }
    },
    destroy() {
      done = true
      hs.destroy()
    },
  }
}

/** The answering side of a resume: reads message 1 and writes message 2 in one step. */
export function answerResume(o: {
  role: Role
  sessionId: Uint8Array
  resumePsk: Uint8Array
  message1: Uint8Array
  payload: Uint8Array
  randomBytes: RandomBytes
}): { payload: Uint8Array; message2: Uint8Array; result: HandshakeResult } {
  const body = openEnvelope(o.message1, MessageType.ResumeInit)
  checkPayloadSize(body)
  const hs = resumeState(false, o.sessionId, o.resumePsk, o.randomBytes)
  try {
    const payload = openPayload(hs.readMessage(body))
    const message2 = withEnvelope(
      MessageType.ResumeReply,
      hs.writeMessage(pad(o.payload, MAX_HANDSHAKE_PAYLOAD)),
    )
    return { payload, message2, result: finish(hs, o.role, false, o.sessionId) }
  } catch (cause) {
    hs.destroy()
    throw cause
  }
}
