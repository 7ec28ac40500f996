import { describe, expect, it } from 'vitest'
import { toBase64Url } from './bytes.js'
import { generateKeyPair } from './noise/dh.js'
import { getRandomSource } from './random.js'

describe('getRandomSource', () => {
  it('fails closed without crypto.getRandomValues', () => {
    expect(() => getRandomSource(null)).toThrowErrorMatchingInlineSnapshot(`
      [PairlineError: No secure random source: crypto.getRandomValues is missing.

      Details: Pairline never falls back to Math.random. On React Native, install a vetted polyfill first.
      Code: RANDOM_UNAVAILABLE]
    `)
    expect(() => getRandomSource({})).toThrowError(expect.objectContaining({ code: 'RANDOM_UNAVAILABLE' }))
  })

  it('10^4 generated keys and psks are all distinct', () => {
    const random = getRandomSource()
    const seen = new Set<string>()
    for (let i = 0; i < 10_000; i++) {
      seen.add(toBase64Url(random(32)))
      if (i < 1000) seen.add(toBase64Url(generateKeyPair(random).publicKey))
    }
    expect(seen.size).toBe(11_000)
  })

  it('refuses absurd lengths', () => {
    const random = getRandomSource()
    expect(() => random(65_537)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    expect(() => random(-1)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    expect(random(0)).toHaveLength(0)
  })
})
