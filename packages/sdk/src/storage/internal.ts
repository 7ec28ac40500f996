import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { fromUtf8, utf8 } from '../protocol/bytes.js'

/** Wraps an I/O failure as STORAGE_FAILED (PairlineErrors pass through unchanged). */
export function storageFailed(shortMessage: string, cause: unknown, details?: string): PairlineError {
  if (cause instanceof PairlineError) return cause
  return new PairlineError(ErrorCode.StorageFailed, shortMessage, { details, cause })
}

export function invalidArgument(shortMessage: string, details?: string): PairlineError {
  return new PairlineError(ErrorCode.InvalidArgument, shortMessage, { details })
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}

/** Keys are non-empty, well-formed UTF-16 strings (a lone surrogate would alias another key in UTF-8). */
export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw invalidArgument('A storage key must be a non-empty string.', `got ${typeOf(key)}`)
  }
  if (fromUtf8(utf8(key)) !== key) {
    throw invalidArgument('A storage key must be well-formed Unicode (no lone surrogates).')
  }
}

export function assertPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') {
    throw invalidArgument('A storage key prefix must be a string.', `got ${typeOf(prefix)}`)
  }
}

export function assertValue(value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw invalidArgument('A stored value must be a Uint8Array.', `got ${typeOf(value)}`)
  }
}

export function assertStorage(
  value: unknown,
  name: string,
): asserts value is {
  get: unknown
  set: unknown
  delete: unknown
  keys: unknown
} {
  const s = value as Record<string, unknown> | null | undefined
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.get !== 'function' ||
    typeof s.set !== 'function' ||
    typeof s.delete !== 'function' ||
    typeof s.keys !== 'function'
  ) {
    throw invalidArgument(`${name} must implement Storage (get, set, delete, keys).`, `got ${typeOf(value)}`)
  }
}

/** A copy backed by a plain ArrayBuffer (what WebCrypto's BufferSource accepts). */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length)
  out.set(bytes)
  return out
}
