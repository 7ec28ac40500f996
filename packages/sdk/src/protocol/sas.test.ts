import { sha256 } from '@noble/hashes/sha2'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deriveSas } from './sas.js'

describe('deriveSas', () => {
  it('is 6 digits and deterministic', () => {
    const h = sha256(new Uint8Array([1, 2, 3]))
    expect(deriveSas(h)).toMatch(/^\d{6}$/)
    expect(deriveSas(h)).toBe(deriveSas(h.slice()))
  })

  it('changes when any transcript-hash byte changes (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat(31),
        fc.integer({ min: 1, max: 255 }),
        (h, i, x) => {
          const other = h.slice()
          other[i]! ^= x
          // 10^6 outcomes: a collision here would be a 1-in-a-million event per run.
          expect(deriveSas(other)).not.toBe(deriveSas(h))
        },
      ),
      { numRuns: 200, seed: 42 },
    )
  })

  it('is uniform over 10^5 runs (chi-square on the first digit and on 100 buckets)', () => {
    const N = 100_000
    const first = new Array(10).fill(0)
    const buckets = new Array(100).fill(0)
    const input = new Uint8Array(32)
    const view = new DataView(input.buffer)
    for (let i = 0; i < N; i++) {
      view.setUint32(0, i)
      const sas = deriveSas(sha256(input))
      first[Number(sas[0])]++
      buckets[Number(sas) % 100]++
    }
    const chi = (obs: number[]) => {
      const e = N / obs.length
      return obs.reduce((a, o) => a + (o - e) ** 2 / e, 0)
    }
    // Critical values at p = 0.001: df 9 -> 27.88, df 99 -> 148.23.
    expect(chi(first)).toBeLessThan(27.88)
    expect(chi(buckets)).toBeLessThan(148.23)
  })

  it('rejects a wrong-length hash', () => {
    expect(() => deriveSas(new Uint8Array(31))).toThrowError(expect.objectContaining({ code: 'INVALID_KEY' }))
  })
})
