import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { fromUtf8, utf8 } from './bytes.js'
import { jsonShapeProblem } from './jsonShape.js'

/** Strict JSON from bytes: valid UTF-8, no repeated key, nesting bounded, a JSON object at the top. */
export function decodeJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  const text = fromUtf8(bytes)
  if (text === null) throw malformed(what, 'not valid UTF-8')
  const problem = jsonShapeProblem(text)
  if (problem !== null) throw malformed(what, problem)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw malformed(what, 'not valid JSON')
  }
  if (!isPlainObject(value)) throw malformed(what, 'not a JSON object')
  return value
}

/** Code points in `s`, or -1 when it holds a lone surrogate (not well-formed Unicode, no UTF-8 form). */
export function codePoints(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++, n++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return -1
      i++
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1
  }
  return n
}

export function encodeJson(value: unknown): Uint8Array {
  return utf8(JSON.stringify(value))
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function malformed(what: string, details: string): PairlineError {
  return new PairlineError(ErrorCode.PayloadMalformed, `The ${what} is malformed.`, { details })
}

/** Small validators that throw PayloadMalformed with the path of the bad field. */
export const check = {
  /** Lengths are Unicode code points (PROTOCOL.md §2), and lone surrogates are refused. */
  string(v: unknown, path: string, what: string, max: number, pattern?: RegExp): string {
    const length = typeof v === 'string' ? codePoints(v) : -1
    if (length < 1 || length > max || (pattern && !pattern.test(v as string))) {
      throw malformed(
        what,
        `${path} must be a non-empty string of at most ${max} characters${pattern ? ` matching ${pattern}` : ''}`,
      )
    }
    return v as string
  },
  integer(v: unknown, path: string, what: string, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      throw malformed(what, `${path} must be an integer from ${min} to ${max}`)
    }
    return v
  },
  list(
    v: unknown,
    path: string,
    what: string,
    max: number,
    item: (x: unknown, p: string) => string,
  ): string[] {
    if (!Array.isArray(v) || v.length > max)
      throw malformed(what, `${path} must be a list of at most ${max} items`)
    const out = v.map((x, i) => item(x, `${path}[${i}]`))
    if (new Set(out).size !== out.length) throw malformed(what, `${path} has duplicates`)
    return out
  },
  keys(o: Record<string, unknown>, path: string, what: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) throw malformed(what, `${path} has an unknown field "${k}"`)
    }
  },
  object(v: unknown, path: string, what: string): Record<string, unknown> {
    if (!isPlainObject(v)) throw malformed(what, `${path} must be an object`)
    return v
  },
}
