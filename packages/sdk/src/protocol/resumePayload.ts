import { assertBytes, concatBytes, fromBase64Url, toBase64Url, utf8 } from './bytes.js'
import { check, decodeJsonObject, encodeJson, malformed } from './json.js'
import { LABELS } from './labels.js'

const what = 'resume payload'

/** Resume message 1 payload: the attempt number and the initiator's device signature (§8.3). */
export type ResumeInit = { v: 1; n: number; sig: Uint8Array }
/** Resume message 2 payload: the responder's device signature; `superseded` on a retired generation. */
export type ResumeReply = { v: 1; sig: Uint8Array; superseded: boolean }

/** Attempt numbers are u32, from 1; a side that reaches the end re-pairs (in practice never). */
export const MAX_RESUME_ATTEMPT = 0xffff_ffff

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, n, false)
  return out
}

/**
 * What the initiator's device key signs: label ‖ session_id ‖ u32be(gen) ‖ u32be(n) ‖ e_I. It binds
 * the signature to this session, generation and attempt, and to the fresh ephemeral: only whoever
 * holds e_I's private key can finish the handshake it authorises.
 */
export function resumeInitSignedData(sessionId: Uint8Array, gen: number, n: number, ephemeral: Uint8Array) {
  assertBytes(sessionId, 16, 'session id')
  assertBytes(ephemeral, 32, 'ephemeral public key')
  return concatBytes(utf8(LABELS.resumeInitSignature), sessionId, u32(gen), u32(n), ephemeral)
}

/** What the responder's device key signs: label ‖ session_id ‖ u32be(gen) ‖ u32be(n) ‖ e_I ‖ u8(superseded). */
export function resumeReplySignedData(
  sessionId: Uint8Array,
  gen: number,
  n: number,
  initiatorEphemeral: Uint8Array,
  superseded: boolean,
) {
  assertBytes(sessionId, 16, 'session id')
  assertBytes(initiatorEphemeral, 32, 'ephemeral public key')
  const flag = new Uint8Array([superseded ? 1 : 0])
  return concatBytes(utf8(LABELS.resumeReplySignature), sessionId, u32(gen), u32(n), initiatorEphemeral, flag)
}

export function encodeResumeInit(p: { n: number; sig: Uint8Array }): Uint8Array {
  return encodeJson({ v: 1, n: p.n, sig: toBase64Url(p.sig) })
}

export function encodeResumeReply(p: { sig: Uint8Array; superseded: boolean }): Uint8Array {
  return encodeJson(
    p.superseded ? { v: 1, sig: toBase64Url(p.sig), superseded: true } : { v: 1, sig: toBase64Url(p.sig) },
  )
}

function signature(v: unknown): Uint8Array {
  const text = check.string(v, 'sig', what, 86)
  const bytes = fromBase64Url(text)
  if (bytes?.length !== 64) throw malformed(what, 'sig must be 64 bytes of base64url')
  return bytes
}

function version(o: Record<string, unknown>): 1 {
  if (o.v !== 1) throw malformed(what, 'v must be 1')
  return 1
}

export function decodeResumeInit(bytes: Uint8Array): ResumeInit {
  const o = decodeJsonObject(bytes, what)
  check.keys(o, '', what, ['v', 'n', 'sig'])
  return { v: version(o), n: check.integer(o.n, 'n', what, 1, MAX_RESUME_ATTEMPT), sig: signature(o.sig) }
}

export function decodeResumeReply(bytes: Uint8Array): ResumeReply {
  const o = decodeJsonObject(bytes, what)
  check.keys(o, '', what, ['v', 'sig', 'superseded'])
  if (o.superseded !== undefined && o.superseded !== true)
    throw malformed(what, 'superseded must be true or absent')
  return { v: version(o), sig: signature(o.sig), superseded: o.superseded === true }
}
