import { propertySeed } from '@pairline/testkit/seed'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { equalBytes, fromBase64Url, fromUtf8, toBase64Url } from './bytes.js'

fc.configureGlobal({ seed: propertySeed(import.meta.url) })

describe('base64url', () => {
  it('round-trips any bytes and matches Node', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = toBase64Url(bytes)
        expect(text).toBe(Buffer.from(bytes).toString('base64url'))
        expect(fromBase64Url(text)).toEqual(bytes)
      }),
    )
  })

  it.each([
    ['padding', 'AA=='],
    ['standard alphabet +', 'a+b_'],
    ['standard alphabet /', 'a/b_'],
    ['whitespace', 'AA AA'],
    ['impossible length', 'AAAAA'],
    ['non-zero trailing bits (1 byte)', 'AB'],
    ['non-zero trailing bits (2 bytes)', 'AAB'],
    ['non-ASCII', 'AAé'],
  ])('rejects %s', (_, text) => {
    expect(fromBase64Url(text)).toBeNull()
  })

  it('rejects non-strings', () => {
    expect(fromBase64Url(42 as unknown as string)).toBeNull()
  })
})

describe('helpers', () => {
  it('compares bytes', () => {
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true)
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false)
    expect(equalBytes(new Uint8Array([1]), new Uint8Array([1, 3]))).toBe(false)
  })
  it('decodes UTF-8 strictly', () => {
    expect(fromUtf8(new Uint8Array([0x68, 0x69]))).toBe('hi')
    expect(fromUtf8(new Uint8Array([0xff]))).toBeNull()
  })
})
