import type { Rng } from './rng.js'

/**
 * AFL-style mutations of a valid encoding: bit flips, interesting values, inserted, deleted,
 * duplicated and spliced ranges, truncation and extension. Inputs stay under `maxLength`, so one
 * case costs bounded memory whatever the seed.
 */

const INTERESTING_8 = [0x00, 0x01, 0x02, 0x10, 0x7f, 0x80, 0xfe, 0xff]
const INTERESTING_32 = [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 21, 2 ** 16, 0xffff, 0x10000]

function insertAt(b: Uint8Array, at: number, add: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length + add.length)
  out.set(b.subarray(0, at))
  out.set(add, at)
  out.set(b.subarray(at), at + add.length)
  return out
}

function removeRange(b: Uint8Array, at: number, n: number): Uint8Array {
  const out = new Uint8Array(b.length - n)
  out.set(b.subarray(0, at))
  out.set(b.subarray(at + n), at)
  return out
}

function mutateOnce(b: Uint8Array, r: Rng, others: readonly Uint8Array[], maxLength: number): Uint8Array {
  const len = b.length
  const at = len === 0 ? 0 : r.below(len)
  const op = r.below(12)
  if (len === 0 && op < 6) return r.bytes(1 + r.below(8))
  switch (op) {
    case 0: {
      const out = b.slice()
      out[at] = out[at]! ^ (1 << r.below(8))
      return out
    }
    case 1: {
      const out = b.slice()
      out[at] = r.pick(INTERESTING_8)
      return out
    }
    case 2: {
      const out = b.slice()
      out[at] = r.below(256)
      return out
    }
    case 3: {
      // an interesting u16/u32, big-endian (every length and counter field here is big-endian)
      const out = b.slice()
      const width = r.oneIn(2) ? 2 : 4
      const v = r.pick(INTERESTING_32) + (r.below(3) - 1)
      for (let i = 0; i < width && at + i < out.length; i++)
        out[at + i] = (v >>> (8 * (width - 1 - i))) & 0xff
      return out
    }
    case 4:
      return removeRange(b, at, 1 + r.below(Math.min(len - at, 16)))
    case 5:
      return b.subarray(0, r.below(len + 1)).slice() // truncate
    case 6:
      return insertAt(b, r.below(len + 1), r.bytes(1 + r.below(16)))
    case 7: {
      const n = 1 + r.below(Math.min(len - at, 64))
      return insertAt(b, r.below(len + 1), b.slice(at, at + n)) // duplicate a range
    }
    case 8:
      return insertAt(b, len, r.oneIn(2) ? new Uint8Array(1 + r.below(64)) : r.bytes(1 + r.below(64)))
    case 9: {
      const other = others.length > 0 ? r.pick(others) : b
      const cut = r.below(Math.min(len, other.length) + 1)
      const out = new Uint8Array(other.length)
      out.set(b.subarray(0, cut))
      out.set(other.subarray(cut), cut)
      return out // splice: our head, another seed's tail
    }
    case 10: {
      const out = b.slice()
      const i = r.below(len)
      const t = out[at]!
      out[at] = out[i]!
      out[i] = t
      return out
    }
    default: {
      // grow to a random length up to the cap: the oversized case every parser must refuse cheaply
      const target = Math.min(maxLength, len + 1 + r.below(maxLength))
      return insertAt(b, len, new Uint8Array(Math.max(0, target - len)))
    }
  }
}

export function mutateBytes(
  seed: Uint8Array,
  r: Rng,
  others: readonly Uint8Array[],
  maxLength: number,
): Uint8Array {
  let b = seed
  const rounds = 1 + (r.oneIn(2) ? 0 : r.below(8))
  for (let i = 0; i < rounds; i++) {
    b = mutateOnce(b, r, others, maxLength)
    if (b.length > maxLength) b = b.subarray(0, maxLength).slice()
  }
  return b
}

/** Characters that matter to text parsers: separators, escapes, non-ASCII, lone surrogates. */
const INTERESTING_TEXT = [
  '&',
  '=',
  '?',
  '#',
  ',',
  ':',
  '/',
  '%',
  '%2',
  '%3A',
  '%3a',
  '%00',
  '%FF',
  '+',
  ' ',
  '\n',
  '\0',
  '"',
  '\\',
  '{',
  '}',
  '[',
  ']',
  'é',
  '\u00a0',
  '\ufeff',
  '\u2028',
  '\ud800',
  '\udfff',
  '😀',
  'A',
  '0',
  '-1',
  '1e3',
  '9007199254740993',
  'pairline:',
  '1',
  '2',
  'ws://',
  'wss://',
  '__proto__',
]

/** Mutations on UTF-16 code units (so lone surrogates and astral characters appear). */
export function mutateText(seed: string, r: Rng, others: readonly string[], maxLength: number): string {
  let s = seed
  const rounds = 1 + (r.oneIn(2) ? 0 : r.below(6))
  for (let i = 0; i < rounds; i++) {
    const at = r.below(s.length + 1)
    switch (r.below(7)) {
      case 0:
        s = s.slice(0, at) + r.pick(INTERESTING_TEXT) + s.slice(at)
        break
      case 1:
        s = s.slice(0, at) + s.slice(at + 1 + r.below(8))
        break
      case 2:
        s = s.slice(0, at) + r.pick(INTERESTING_TEXT) + s.slice(at + 1)
        break
      case 3:
        s = s.slice(0, at) + String.fromCharCode(r.below(0x10000)) + s.slice(at + 1)
        break
      case 4: {
        const n = 1 + r.below(32)
        s = s.slice(0, at) + s.slice(at, at + n) + s.slice(at)
        break
      }
      case 5: {
        const other = others.length > 0 ? r.pick(others) : s
        s = s.slice(0, at) + other.slice(Math.min(at, other.length))
        break
      }
      default:
        s = s.slice(0, at)
    }
    if (s.length > maxLength) s = s.slice(0, maxLength)
  }
  return s
}
