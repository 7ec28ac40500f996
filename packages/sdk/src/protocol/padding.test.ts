import { propertySeed } from '@pairline/testkit/seed'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { isPairlineError } from '../errors/is.js'
import { equalBytes } from './bytes.js'
import { isPaddedSize, MAX_PADDED_PLAINTEXT, pad, paddedLength, unpad } from './padding.js'

fc.configureGlobal({ seed: propertySeed(import.meta.url) })

/** NIP-44 calc_padded_len written another way: power of two by doubling, bucket by ceil. */
function referencePaddedLength(n: number): number {
  if (n <= 32) return 32
  let nextPower = 1
  while (nextPower <= n - 1) nextPower *= 2 // smallest power of two > n-1 == 2^(floor(log2(n-1))+1)
  const chunk = nextPower <= 256 ? 32 : nextPower / 8
  return Math.ceil(n / chunk) * chunk
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return isPairlineError(err) ? String(err.code) : 'not a PairlineError'
  }
  return undefined
}

/** Deterministic filler so large fixtures cost nothing to generate. */
function filled(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed | 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

describe('paddedLength', () => {
  // NIP-44 test vectors "calc_padded_len" (https://github.com/nostr-protocol/nips/blob/master/44.md).
  it.each([
    [1, 32],
    [16, 32],
    [32, 32],
    [33, 64],
    [37, 64],
    [45, 64],
    [49, 64],
    [64, 64],
    [65, 96],
    [100, 128],
    [111, 128],
    [200, 224],
    [250, 256],
    [320, 320],
    [383, 384],
    [384, 384],
    [400, 448],
    [500, 512],
    [1000, 1024],
    [1024, 1024],
    [1025, 1280],
    [65535, 65536],
    [65536, 65536],
    [100000, 114688],
  ])('paddedLength(%i) = %i', (n, expected) => {
    expect(paddedLength(n)).toBe(expected)
    expect(referencePaddedLength(n)).toBe(expected)
  })

  it('matches the reference and pad() for every n from 1 to 70,000', () => {
    const source = new Uint8Array(70_000)
    const mismatches: number[] = []
    for (let n = 1; n <= 70_000; n++) {
      const expected = referencePaddedLength(n)
      const got = paddedLength(n)
      const prefix = n < 65536 ? 2 : 6
      if (got !== expected || got < n || pad(source.subarray(0, n)).length !== prefix + got)
        mismatches.push(n)
    }
    expect(mismatches).toEqual([])
  })

  it('stays exact up to the u32 limit (no float log)', () => {
    for (let k = 6; k <= 32; k++) {
      for (const n of [2 ** k - 1, 2 ** k, 2 ** k + 1, 2 ** k + 2]) {
        if (n > MAX_PADDED_PLAINTEXT) continue
        expect(paddedLength(n), `n = ${n}`).toBe(referencePaddedLength(n))
      }
    }
    expect(paddedLength(MAX_PADDED_PLAINTEXT)).toBe(2 ** 32)
    expect(paddedLength(2 ** 31 + 1)).toBe(5 * 2 ** 29)
  })

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 32])('rejects n = %s', (n) => {
    expect(codeOf(() => paddedLength(n))).toBe(ErrorCode.InvalidArgument)
  })
})

describe('isPaddedSize', () => {
  it('is true exactly for the lengths pad() produces, 0 to 70,010 bytes', () => {
    const produced = new Set<number>()
    for (let n = 1; n <= 70_000; n++) produced.add((n < 65_536 ? 2 : 6) + referencePaddedLength(n))
    for (let total = 0; total <= 70_010; total++) {
      if (isPaddedSize(total) !== produced.has(total)) throw new Error(`isPaddedSize(${total}) is wrong`)
    }
    expect([34, 66, 98, 258, 322, 65_538].map((t) => isPaddedSize(t))).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ])
    expect([33, 35, 65, 259, 321, 65_539, 65_541].map((t) => isPaddedSize(t))).toEqual(Array(7).fill(false))
  })

  it('with a floor of 256: true exactly for 2 + 256 and the buckets above it', () => {
    for (let total = 0; total <= 70_010; total++) {
      const produced = total - 2 === 256 || (total - 2 > 256 && isPaddedSize(total))
      if (isPaddedSize(total, 256) !== produced) throw new Error(`isPaddedSize(${total}, 256) is wrong`)
    }
    expect([258, 322, 386].map((t) => isPaddedSize(t, 256))).toEqual([true, true, true])
    expect([34, 66, 226, 290].map((t) => isPaddedSize(t, 256))).toEqual([false, false, false, false])
  })

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('is false for %s', (total) => {
    expect(isPaddedSize(total)).toBe(false)
  })
})

describe('pad / unpad', () => {
  it('round-trips random payloads of 1..5000 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 5000 }), (plaintext) => {
        const padded = pad(plaintext)
        expect(padded.length).toBe(2 + paddedLength(plaintext.length))
        expect(unpad(padded)).toEqual(plaintext)
      }),
    )
  })

  it('round-trips around the 2-byte / 6-byte prefix boundary', () => {
    fc.assert(
      fc.property(fc.constantFrom(65534, 65535, 65536, 65537, 70000), fc.integer(), (n, seed) => {
        const plaintext = filled(n, seed)
        const padded = pad(plaintext)
        expect(padded.length).toBe((n < 65536 ? 2 : 6) + paddedLength(n))
        // equalBytes, not toEqual: vitest's deep equality walks 70 kB element by element.
        expect(equalBytes(unpad(padded), plaintext)).toBe(true)
      }),
      { numRuns: 20 },
    )
  })

  it('writes the documented prefixes', () => {
    expect([...pad(new Uint8Array([7])).subarray(0, 3)]).toEqual([0x00, 0x01, 7])
    expect([...pad(new Uint8Array(65535)).subarray(0, 2)]).toEqual([0xff, 0xff])
    expect([...pad(new Uint8Array(65536)).subarray(0, 6)]).toEqual([0, 0, 0, 1, 0, 0])
  })

  it('returns a copy, not a view of the input', () => {
    const padded = pad(new Uint8Array([1, 2, 3]))
    const out = unpad(padded)
    padded[2] = 9
    expect([...out]).toEqual([1, 2, 3])
    expect(out.buffer).not.toBe(padded.buffer)
  })

  it('unpads from a subarray with a non-zero byteOffset', () => {
    const padded = pad(new Uint8Array([1, 2, 3]))
    const host = new Uint8Array(padded.length + 5)
    host.set(padded, 5)
    expect([...unpad(host.subarray(5))]).toEqual([1, 2, 3])
  })

  it('a floor pads every short payload to the floor, and unpad insists on it', () => {
    for (const n of [1, 32, 200, 256]) {
      const p = pad(filled(n, n), 1000, 256)
      expect(p.length).toBe(2 + 256)
      expect(equalBytes(unpad(p, 256), filled(n, n))).toBe(true)
      expect(codeOf(() => unpad(p))).toBe(n > 224 ? undefined : ErrorCode.PaddingInvalid)
    }
    expect(pad(filled(257, 1), 1000, 256).length).toBe(2 + 320)
    expect(codeOf(() => unpad(pad(filled(10, 1)), 256))).toBe(ErrorCode.PaddingInvalid)
  })

  it.each([0, 31, 33, 100, 300, Number.NaN])('refuses a floor of %s that is not a padded length', (floor) => {
    expect(codeOf(() => pad(filled(1, 1), 1000, floor))).toBe(ErrorCode.InvalidArgument)
    expect(codeOf(() => isPaddedSize(258, floor))).toBe(ErrorCode.InvalidArgument)
  })

  it('refuses an empty payload', () => {
    expect(() => pad(new Uint8Array(0))).toThrowErrorMatchingInlineSnapshot(`
      [PairlineError: Cannot pad an empty payload.
      Code: INVALID_ARGUMENT]
    `)
    expect(codeOf(() => pad(new Uint8Array(0)))).toBe(ErrorCode.InvalidArgument)
  })

  it('enforces maxLength', () => {
    expect(unpad(pad(new Uint8Array(100), 100)).length).toBe(100)
    expect(codeOf(() => pad(new Uint8Array(101), 100))).toBe(ErrorCode.PayloadTooLarge)
    expect(() => pad(new Uint8Array(101), 100)).toThrowErrorMatchingInlineSnapshot(`
      [PairlineError: Payload is too large to pad.

      Details: 101 bytes, limit 100
      Code: PAYLOAD_TOO_LARGE]
    `)
  })

  it.each([0, -1, 1.5, Number.NaN, 2 ** 32])('rejects maxLength = %s', (maxLength) => {
    expect(codeOf(() => pad(new Uint8Array(1), maxLength))).toBe(ErrorCode.InvalidArgument)
  })

  it('rejects non-Uint8Array inputs', () => {
    expect(codeOf(() => pad([1, 2] as unknown as Uint8Array))).toBe(ErrorCode.InvalidArgument)
    expect(codeOf(() => unpad('ab' as unknown as Uint8Array))).toBe(ErrorCode.InvalidArgument)
  })
})

describe('unpad rejects hostile input', () => {
  const valid = pad(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])) // 2 + 32 bytes, padding at 12..33
  const withByte = (index: number, value: number) => {
    const copy = valid.slice()
    copy[index] = value
    return copy
  }
  const longForm = (n: number, total: number) => {
    const out = new Uint8Array(total)
    new DataView(out.buffer).setUint32(2, n)
    return out
  }

  const SHORT = 'Padded payload is shorter than its length prefix.'
  const EMPTY = 'Padded payload declares an empty plaintext.'
  const OVER = 'Padded payload declares more bytes than it holds.'
  const LENGTH = 'Padded payload has the wrong length for its size.'
  const NONZERO = 'Padded payload has non-zero padding bytes.'
  const LONG = 'Padded payload uses the long length prefix for a short plaintext.'

  it.each<[string, Uint8Array, string]>([
    ['empty', new Uint8Array(0), SHORT],
    ['1 byte', new Uint8Array([5]), SHORT],
    ['prefix 0 without room for the u32', new Uint8Array([0, 0, 0, 1]), SHORT],
    ['prefix 0 with u32 length 0', longForm(0, 6 + 32), EMPTY],
    ['length > available', new Uint8Array([0, 100, 1, 2, 3]), OVER],
    ['length just past the bucket', new Uint8Array([0, 33, ...new Uint8Array(32)]), OVER],
    ['one byte short', valid.subarray(0, valid.length - 1), LENGTH],
    ['one byte long', new Uint8Array([...valid, 0]), LENGTH],
    ['a whole bucket too long', new Uint8Array([...valid, ...new Uint8Array(32)]), LENGTH],
    ['non-zero first padding byte', withByte(12, 1), NONZERO],
    ['non-zero middle padding byte', withByte(22, 0x80), NONZERO],
    ['non-zero last padding byte', withByte(33, 0xff), NONZERO],
    ['6-byte form for a small n', longForm(10, 6 + 32), LONG],
    ['6-byte form for n = 65535', longForm(65535, 6 + 65536), LONG],
    ['6-byte form, n = 65536, short buffer', longForm(65536, 6 + 1000), OVER],
    ['6-byte form, n = 65536, wrong bucket', longForm(65536, 6 + 65536 + 8192), LENGTH],
  ])('%s', (_, bytes, shortMessage) => {
    let caught: unknown
    try {
      unpad(bytes)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(PairlineError)
    expect(caught).toMatchObject({ code: ErrorCode.PaddingInvalid, shortMessage })
  })

  it('accepts the untouched fixture (the table above is not vacuous)', () => {
    expect([...unpad(valid)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(unpad(longForm(65536, 6 + 65536)).length).toBe(65536)
  })

  it('explains what is wrong', () => {
    expect(() => unpad(new Uint8Array([5]))).toThrowErrorMatchingInlineSnapshot(`
      [PairlineError: Padded payload is shorter than its length prefix.

      Details: length 1, need at least 2
      Code: PADDING_INVALID]
    `)
    expect(() => unpad(longForm(10, 6 + 32))).toThrowErrorMatchingInlineSnapshot(`
      [PairlineError: Padded payload uses the long length prefix for a short plaintext.

      Details: length 10
      Code: PADDING_INVALID]
    `)
    expect(() => unpad(withByte(22, 0x80))).toThrowErrorMatchingInlineSnapshot(`
      [PairlineError: Padded payload has non-zero padding bytes.

      Details: length 10
      Code: PADDING_INVALID]
    `)
  })
})
