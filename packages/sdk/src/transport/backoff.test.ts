import { describe, expect, it } from 'vitest'
import { backoffDelay, DEFAULT_BACKOFF, resolveBackoff } from './backoff.js'

const noJitter = () => 0
const maxJitter = () => 0.999_999

describe('backoffDelay', () => {
  it('grows by the factor from the initial delay up to the maximum', () => {
    const b = resolveBackoff()
    expect(b).toEqual(DEFAULT_BACKOFF)
    const seq = Array.from({ length: 9 }, (_, i) => backoffDelay(i, b, noJitter))
    expect(seq).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000])
  })

  it('keeps a jittered delay in (base * (1 - jitter), base]', () => {
    const b = resolveBackoff({ initialDelayMs: 100, maxDelayMs: 1000, factor: 3, jitter: 0.5 })
    const bases = [100, 300, 900, 1000, 1000]
    bases.forEach((base, attempt) => {
      expect(backoffDelay(attempt, b, noJitter)).toBe(base)
      expect(backoffDelay(attempt, b, () => 0.5)).toBe(base * 0.75)
      const low = backoffDelay(attempt, b, maxJitter)
      expect(low).toBeGreaterThanOrEqual(base * 0.5)
      expect(low).toBeLessThan(base * 0.5 + 1)
    })
  })

  it('spreads over the whole range with full jitter', () => {
    const b = resolveBackoff({ initialDelayMs: 1000, maxDelayMs: 1000, jitter: 1 })
    expect(backoffDelay(0, b, noJitter)).toBe(1000)
    expect(backoffDelay(0, b, () => 0.25)).toBe(750)
    expect(backoffDelay(0, b, maxJitter)).toBe(0)
  })

  it('stays finite and in bounds for huge attempts, a zero delay and a bad random', () => {
    const b = resolveBackoff({ initialDelayMs: 10, maxDelayMs: 500 })
    expect(backoffDelay(10_000, b, noJitter)).toBe(500)
    expect(backoffDelay(-3, b, noJitter)).toBe(10)
    expect(backoffDelay(3, resolveBackoff({ initialDelayMs: 0, maxDelayMs: 0 }), noJitter)).toBe(0)
    expect(backoffDelay(10_000, resolveBackoff({ initialDelayMs: 0 }), noJitter)).toBe(0)
    expect(backoffDelay(0, b, () => Number.NaN)).toBe(10)
    expect(backoffDelay(0, b, () => 7)).toBe(5)
    expect(backoffDelay(0, b, () => -1)).toBe(10)
  })

  it('rejects options out of range with INVALID_ARGUMENT', () => {
    for (const bad of [
      { initialDelayMs: -1 },
      { initialDelayMs: Number.NaN },
      { maxDelayMs: 100, initialDelayMs: 200 },
      { maxDelayMs: 2 ** 31 },
      { factor: 0.5 },
      { jitter: 1.5 },
      { jitter: -0.1 },
    ]) {
      expect(() => resolveBackoff(bad), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      )
    }
  })
})
