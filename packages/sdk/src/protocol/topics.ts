import { expand, extract } from '@noble/hashes/hkdf'
import { sha256 } from '@noble/hashes/sha2'
import { assertBytes, toBase64Url, utf8, wipe } from './bytes.js'
import { LABELS } from './labels.js'

/** A relay topic: 32 bytes, written as 43 characters of base64url. Public, never secret. */
export type Topic = string

export type TopicPair = {
  /** wallet -> dApp */
  w2d: Topic
  /** dApp -> wallet */
  d2w: Topic
}

/**
 * Pairing topics from the psk: anyone who sees the QR can compute them, which is unavoidable; they
 * carry only the two handshake messages and are dropped right after (PROTOCOL.md §5).
 */
export function pairingTopics(psk: Uint8Array): TopicPair {
  assertBytes(psk, 32, 'psk')
  // Both are HKDF(psk, salt, info): one Extract and an Expand per info (RFC 5869 §2), same bytes.
  const prk = extract(sha256, psk, utf8(LABELS.pairingTopicSalt))
  const w = expand(sha256, prk, utf8(LABELS.pairingTopicW2D), 32)
  const d = expand(sha256, prk, utf8(LABELS.pairingTopicD2W), 32)
  wipe(prk)
  return { w2d: toBase64Url(w), d2w: toBase64Url(d) }
}

export type SessionExports = {
  topics: TopicPair
  /** 32-byte secret: the psk of the next resume handshake. The caller wipes it. */
  resumePsk: Uint8Array
  /** 16 public bytes naming the session (storage key, resume prologue). */
  sessionId: Uint8Array
}

/**
 * Session secrets from Noise's final chaining key, before it is wiped: HKDF-SHA256(ikm = ck,
 * salt = h, info = label). ck is secret post-DH material, so the relay cannot link the session
 * topics to the pairing topics by content, and neither can anyone who only saw the QR.
 */
export function exportSession(chainingKey: Uint8Array, handshakeHash: Uint8Array): SessionExports {
  assertBytes(chainingKey, 32, 'chaining key')
  assertBytes(handshakeHash, 32, 'handshake hash')
  // Four HKDFs with the same ikm and salt: Extract once, Expand per label (RFC 5869 §2), same bytes.
  // The PRK is as secret as ck and wiped with it.
  const prk = extract(sha256, chainingKey, handshakeHash)
  const out = (label: string, length: number) => expand(sha256, prk, utf8(label), length)
  const w = out(LABELS.sessionTopicW2D, 32)
  const d = out(LABELS.sessionTopicD2W, 32)
  const topics = { w2d: toBase64Url(w), d2w: toBase64Url(d) }
  wipe(w, d)
  const exports = { topics, resumePsk: out(LABELS.resumePsk, 32), sessionId: out(LABELS.sessionId, 16) }
  wipe(prk)
  return exports
}
