import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { type DeviceKey, verifyDeviceSignature } from '../keys/device.js'
import { fromBase64Url } from '../protocol/bytes.js'
import {
  type ResumeInit,
  type ResumeReply,
  resumeInitSignedData,
  resumeReplySignedData,
} from '../protocol/resumePayload.js'
import type { ResumeState } from '../records/resumeState.js'

/** Where a resume signature belongs: the session, the generation, the attempt, the initiator's e. */
export type ResumeContext = { sessionId: Uint8Array; gen: number; n: number; initiatorEphemeral: Uint8Array }

export function signInit(device: DeviceKey, c: ResumeContext): Promise<Uint8Array> {
  return device.sign(resumeInitSignedData(c.sessionId, c.gen, c.n, c.initiatorEphemeral))
}

export function signReply(device: DeviceKey, c: ResumeContext, superseded: boolean): Promise<Uint8Array> {
  return device.sign(resumeReplySignedData(c.sessionId, c.gen, c.n, c.initiatorEphemeral, superseded))
}

/**
 * Checks the peer's device signature on an authenticated resume message. The psk was right, so a
 * failure here means someone holds this session's stored secrets but not the peer's device key:
 * a copied record (§8.3). RESUME_REFUSED tells the app so; nothing changes. A message signed by
 * `self` (this side's own device key) is this side's own, reflected by the relay: dropped silently.
 */
export async function checkPeerSignature(
  keys: { peer: Uint8Array; self: Uint8Array },
  c: ResumeContext,
  message: { kind: 'init'; init: ResumeInit } | { kind: 'reply'; reply: ResumeReply },
): Promise<void> {
  const [data, sig] =
    message.kind === 'init'
      ? [resumeInitSignedData(c.sessionId, c.gen, c.n, c.initiatorEphemeral), message.init.sig]
      : [
          resumeReplySignedData(c.sessionId, c.gen, c.n, c.initiatorEphemeral, message.reply.superseded),
          message.reply.sig,
        ]
  if (await verifyDeviceSignature(keys.peer, data, sig)) return
  if (await verifyDeviceSignature(keys.self, data, sig))
    throw new PairlineError(ErrorCode.UnexpectedMessage, 'This side’s own resume message, reflected.')
  throw new PairlineError(
    ErrorCode.ResumeRefused,
    'A resume with this session’s secrets but without its device key was refused.',
    { details: 'Someone holds a copy of the stored session; it could not resume.' },
  )
}

export function resumeRefused(shortMessage: string): PairlineError {
  return new PairlineError(ErrorCode.ResumeRefused, shortMessage)
}

/** The peer's device public key; without it no resume message of the peer could be checked. */
export function peerDevice(s: ResumeState): Uint8Array {
  const peer = s.device.peer ? fromBase64Url(s.device.peer) : null
  if (!peer) throw resumeRefused('The peer’s device key is not known: this session cannot resume.')
  return peer
}
