import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { concatBytes, fromUtf8, utf8 } from '../protocol/bytes.js'

/**
 * A persisted session: `u32be(n) ‖ JSON (n bytes, nothing secret) ‖ 32·k bytes of resume psks`. The
 * storage layer seals the whole record (AES-GCM); the psks are never part of the JSON text.
 */
export function encodeRecord(json: unknown, secret: Uint8Array): Uint8Array {
  const text = utf8(JSON.stringify(json))
  const head = new Uint8Array(4)
  new DataView(head.buffer).setUint32(0, text.length, false)
  return concatBytes(head, text, secret)
}

export function decodeRecord<T>(bytes: Uint8Array): { json: T; secret: Uint8Array } {
  const fail = () => new PairlineError(ErrorCode.StorageFailed, 'The stored session is corrupt.')
  if (bytes.length < 4 + 32) throw fail()
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, false)
  // The secret tail is one or more 32-byte resume psks (§14.4).
  const tail = bytes.length - 4 - n
  if (n > bytes.length - 4 - 32 || tail % 32 !== 0) throw fail()
  const text = fromUtf8(bytes.subarray(4, 4 + n))
  if (text === null) throw fail()
  try {
    return { json: JSON.parse(text) as T, secret: bytes.slice(4 + n) }
  } catch {
    throw fail()
  }
}
