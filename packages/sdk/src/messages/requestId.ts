import { sha256 } from '@noble/hashes/sha2'
import canonicalize from 'canonicalize'
import { toBase64Url, utf8 } from '../protocol/bytes.js'
import { malformed } from '../protocol/json.js'
import type { RandomBytes } from '../protocol/random.js'

/** A request id: 16 random bytes, base64url (22 characters). */
export const REQUEST_ID = /^[A-Za-z0-9_-]{22}$/
/** A request hash: SHA-256, base64url (43 characters). */
export const REQUEST_HASH = /^[A-Za-z0-9_-]{43}$/

/**
 * A fresh request id. Random rather than counted: a counter lives in storage, and a lost write
 * hands the same number out twice (issue 10, observation 1); 128 random bits never repeat.
 */
export function newRequestId(random: RandomBytes): string {
  return toBase64Url(random(16))
}

/**
 * What a response is bound to (docs/PROTOCOL.md §14.5): SHA-256 of the JCS (RFC 8785) text of
 * `{ id, method, params, chainId, expiresAt }`. Canonical so both sides hash the same bytes
 * whatever order their JSON parser kept the keys in.
 */
export function requestHash(r: {
  id: string
  method: string
  params: unknown
  chainId: string
  expiresAt: number
}): string {
  const { id, method, params, chainId, expiresAt } = r
  let text: string | undefined
  try {
    text = canonicalize({ id, method, params, chainId, expiresAt })
  } catch {
    text = undefined // a lone surrogate, a cycle, NaN: not JSON
  }
  if (text === undefined) throw malformed('request', 'the request is not JSON (RFC 8785)')
  return toBase64Url(sha256(utf8(text)))
}
