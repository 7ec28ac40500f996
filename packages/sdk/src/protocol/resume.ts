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
import type { KeyPair, RandomBytes } from './noise/dh.js'
import { HandshakeState } from './noise/handshakeState.js'
import { NNpsk0 } from './noise/patterns.js'
import { pad } from './padding.js'

function resumeState(
  initiator: boolean,
  sessionId: Uint8Array,
  resumePsk: Uint8Array,
  randomBytes: RandomBytes,
  e?: KeyPair,
) {
  assertBytes(resumePsk, 32, 'resume psk')
  assertBytes(sessionId, 16, 'session id')
  return new HandshakeState({
    pattern: NNpsk0,
    initiator,
    prologue: concatBytes(utf8(LABELS.resumePrologue), sessionId),
    psks: [resumePsk],
    randomBytes,
    ...(e ? { e } : {}),
  })
}

export type ResumeInitiator = {
  readonly message1: Uint8Array
  readReply(message2: Uint8Array): { payload: Uint8Array; result: HandshakeResult }
  destroy(): void
}

/**
 * Resume: a fresh Noise_NNpsk0 handshake keyed by the session's resume psk, so every resume gets
 * new ephemeral keys (forward secrecy), new topics and a new resume psk (docs/PROTOCOL.md §8).
 * `e` is the initiator's ephemeral when the caller needs its public key before the payload (the
 * payload carries a device signature over it); it is copied, the caller wipes its own.
 */
export function startResume(o: {
  role: Role
  sessionId: Uint8Array
  resumePsk: Uint8Array
  payload: Uint8Array
  randomBytes: RandomBytes
  e?: KeyPair
}): ResumeInitiator {
  const hs = resumeState(true, o.sessionId, o.resumePsk, o.randomBytes, o.e)
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

export type ResumeResponder = {
  /** The initiator's payload, authenticated by the resume psk (replayable: never act on it alone). */
  readonly payload: Uint8Array
  /** The initiator's ephemeral public key (the first 32 bytes of the message body). */
  readonly initiatorEphemeral: Uint8Array
  /** Writes message 2 with `payload` and completes the handshake. Once. */
  reply(payload: Uint8Array): { message2: Uint8Array; result: HandshakeResult }
  destroy(): void
}

/**
 * The answering side, in two steps so the caller can check the initiator's payload (an async
 * device signature) before it answers. Invalid input raises and leaves nothing behind.
 */
export function readResumeInit(o: {
  role: Role
  sessionId: Uint8Array
  resumePsk: Uint8Array
  message1: Uint8Array
  randomBytes: RandomBytes
}): ResumeResponder {
  const body = openEnvelope(o.message1, MessageType.ResumeInit)
  checkPayloadSize(body)
  const hs = resumeState(false, o.sessionId, o.resumePsk, o.randomBytes)
  let payload: Uint8Array
  try {
    payload = openPayload(hs.readMessage(body))
  } catch (cause) {
    hs.destroy()
    throw cause
  }
  let done = false
  return {
    payload,
    initiatorEphemeral: body.slice(0, 32),
    reply(p) {
      if (done) throw new PairlineError(ErrorCode.HandshakeWrongState, 'This resume is already answered.')
      done = true
      try {
        const message2 = withEnvelope(MessageType.ResumeReply, hs.writeMessage(pad(p, MAX_HANDSHAKE_PAYLOAD)))
        return { message2, result: finish(hs, o.role, false, o.sessionId) }
      } catch (cause) {
        hs.destroy()
        throw cause
      }
    },
    destroy() {
      done = true
      hs.destroy()
    },
  }
}

/** Both steps at once (vectors, tests). */
export function answerResume(o: {
  role: Role
  sessionId: Uint8Array
  resumePsk: Uint8Array
  message1: Uint8Array
  payload: Uint8Array
  randomBytes: RandomBytes
}): { payload: Uint8Array; message2: Uint8Array; result: HandshakeResult } {
  const r = readResumeInit(o)
  return { payload: r.payload, ...r.reply(o.payload) }
}
