import { propertySeed } from '@pairline/testkit/seed'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../errors/codes.js'
import { isPairlineError } from '../errors/is.js'
import { REPLAY_WINDOW, REPLAY_WORDS, type ReplayVerdict, ReplayWindow } from './replay.js'

fc.configureGlobal({ seed: propertySeed(import.meta.url) })

const W = REPLAY_WINDOW
const MAX_LIMIT = 2 ** 53

/** The window rule without the ring: every accepted counter in a Set, plus the newest one. */
class ReferenceWindow {
  last = -1
  readonly seen = new Set<number>()
  constructor(readonly limit: number) {}
  check(c: number): ReplayVerdict {
    if (!Number.isSafeInteger(c) || c < 0 || c >= this.limit) return 'over-limit'
    if (c > this.last) return 'ok'
    if (this.last - c > W) return 'too-old'
    return this.seen.has(c) ? 'replayed' : 'ok'
  }
  accept(c: number): ReplayVerdict {
    const verdict = this.check(c)
    if (verdict === 'ok') {
      this.seen.add(c)
      this.last = Math.max(this.last, c)
    }
    return verdict
  }
}

function sameState(a: ReplayWindow, b: { last: number; ring: Uint32Array }): boolean {
  const s = a.snapshot()
  return s.last === b.last && s.ring.every((word, i) => word === b.ring[i])
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return isPairlineError(err) ? String(err.code) : 'not a PairlineError'
  }
  return undefined
}

describe('ReplayWindow basics', () => {
  it('has the RFC 6479 geometry of 64 words of 32 bits', () => {
    expect(REPLAY_WORDS).toBe(64)
    expect(W).toBe(2016)
  })

  it('accepts 0..5000 in order and refuses each immediate duplicate', () => {
    const w = new ReplayWindow(MAX_LIMIT)
    expect(w.last).toBe(-1)
    for (let c = 0; c <= 5000; c++) {
      expect(w.check(c)).toBe('ok')
      expect(w.accept(c)).toBe('ok')
      expect(w.accept(c)).toBe('replayed')
      expect(w.check(c)).toBe('replayed')
    }
    expect(w.last).toBe(5000)
    // Afterwards: the last W+1 counters are replays, anything older is out of the window.
    for (let c = 5000 - W; c <= 5000; c++) expect(w.accept(c)).toBe('replayed')
    for (let c = 0; c < 5000 - W; c++) expect(w.accept(c)).toBe('too-old')
  })

  it('accepts counter 0 exactly once on a fresh window', () => {
    const w = new ReplayWindow(MAX_LIMIT)
    expect(w.accept(0)).toBe('ok')
    expect(w.last).toBe(0)
    expect(w.accept(0)).toBe('replayed')
    expect(w.accept(1)).toBe('ok')
    expect(w.accept(0)).toBe('replayed')
  })

  it('accepts counter 0 after a higher counter (fresh window, out of order)', () => {
    const w = new ReplayWindow(MAX_LIMIT)
    expect(w.accept(7)).toBe('ok')
    expect(w.accept(0)).toBe('ok')
    expect(w.accept(0)).toBe('replayed')
  })

  it('treats a difference of exactly W as inside the window (as wireguard-go)', () => {
    const w = new ReplayWindow(MAX_LIMIT)
    expect(w.accept(10_000)).toBe('ok')
    expect(w.check(10_000 - W)).toBe('ok')
    expect(w.check(10_000 - W - 1)).toBe('too-old')
    expect(w.accept(10_000 - W - 1)).toBe('too-old')
    expect(w.accept(10_000 - W)).toBe('ok')
    expect(w.accept(10_000 - W)).toBe('replayed')
  })

  it('moves the window on a 2^40 jump and clears the whole ring', () => {
    const w = new ReplayWindow(MAX_LIMIT)
    for (let c = 0; c < 3000; c++) w.accept(c)
    const far = 2999 + 2 ** 40
    expect(w.accept(far)).toBe('ok')
    expect(w.last).toBe(far)
    expect(w.accept(2999)).toBe('too-old')
    expect(w.accept(far - W - 1)).toBe('too-old')
    expect(w.accept(far - 1)).toBe('ok')
    expect(w.accept(far - W)).toBe('ok')
    // Only the three bits just set survive: nothing left over from the old region.
    const bits = [...w.snapshot().ring].reduce((sum, word) => sum + popcount(word), 0)
    expect(bits).toBe(3)
  })

  it('does not move the window on check() of a huge counter (a forged frame whose AEAD fails)', () => {
    const w = new ReplayWindow(MAX_LIMIT)
    for (let c = 0; c < 100; c++) w.accept(c)
    const before = w.snapshot()
    expect(w.check(99 + 2 ** 40)).toBe('ok')
    expect(w.check(MAX_LIMIT - 1)).toBe('ok')
    expect(sameState(w, before)).toBe(true)
    expect(w.accept(50)).toBe('replayed')
    expect(w.accept(100)).toBe('ok')
  })

  it('refuses counters >= limit and accepts limit - 1 once', () => {
    const w = new ReplayWindow(1000)
    expect(w.check(1000)).toBe('over-limit')
    expect(w.accept(1000)).toBe('over-limit')
    expect(w.accept(5000)).toBe('over-limit')
    expect(w.last).toBe(-1)
    expect(w.accept(999)).toBe('ok')
    expect(w.accept(999)).toBe('replayed')
    expect(w.accept(1000)).toBe('over-limit')
    expect(w.accept(998)).toBe('ok')
    expect(w.last).toBe(999)
  })

  it('handles the largest limit, 2^53', () => {
    const w = new ReplayWindow(MAX_LIMIT)
    const top = Number.MAX_SAFE_INTEGER // 2^53 - 1
    expect(w.accept(top)).toBe('ok')
    expect(w.accept(top)).toBe('replayed')
    expect(w.accept(top - 1)).toBe('ok')
    expect(w.accept(top - W)).toBe('ok')
    expect(w.accept(top - W - 1)).toBe('too-old')
    expect(w.accept(MAX_LIMIT)).toBe('over-limit')
  })

  it('limit 1 allows only counter 0', () => {
    const w = new ReplayWindow(1)
    expect(w.accept(1)).toBe('over-limit')
    expect(w.accept(0)).toBe('ok')
    expect(w.accept(0)).toBe('replayed')
  })

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.5, MAX_LIMIT, '5'])(
    'says over-limit for the non-counter %s and never records it',
    (value) => {
      const w = new ReplayWindow(MAX_LIMIT)
      w.accept(10)
      const before = w.snapshot()
      const c = value as number
      expect(w.check(c)).toBe('over-limit')
      expect(w.accept(c)).toBe('over-limit')
      expect(sameState(w, before)).toBe(true)
    },
  )

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_LIMIT + 2])('rejects limit %s', (limit) => {
    expect(codeOf(() => new ReplayWindow(limit))).toBe(ErrorCode.InvalidArgument)
  })
})

describe('ReplayWindow ring clearing', () => {
  it('clears stale words on a jump past the ring (5 -> 5 + 3 rings)', () => {
    const w = new ReplayWindow(MAX_LIMIT)
    // Fill the old region so every ring word holds bits that would alias new counters.
    for (let c = 0; c <= W + 31; c++) w.accept(c)
    const last = 5 + REPLAY_WORDS * 32 * 3
    expect(w.accept(W + 31)).toBe('replayed')
    expect(w.accept(last)).toBe('ok')
    for (let c = 0; c <= W + 31; c++) expect(w.check(c)).toBe('too-old')
    for (let c = last - W; c < last; c++) expect(w.accept(c), `counter ${c}`).toBe('ok')
  })

  it('clears only the words it passes on a short jump', () => {
    const w = new ReplayWindow(MAX_LIMIT)
    for (let c = 0; c < 3000; c++) w.accept(c)
    const last = 3000 + 10 * 32
    expect(w.accept(last)).toBe('ok')
    for (let c = last - W; c < 3000; c++) expect(w.check(c), `counter ${c}`).toBe('replayed')
    for (let c = 3000; c < last; c++) expect(w.check(c), `counter ${c}`).toBe('ok')
    expect(w.check(last - W - 1)).toBe('too-old')
  })
})

describe('ReplayWindow properties', () => {
  it('matches the Set-based reference on arbitrary sequences, including jumps > W', () => {
    const op = fc.record({
      accept: fc.boolean(),
      where: fc.oneof(
        fc.record({ near: fc.integer({ min: -W - 40, max: 40 }) }), // around the window edges
        fc.record({ jump: fc.integer({ min: W, max: 40 * W }) }),
        fc.record({ at: fc.nat(60_000) }),
        fc.record({ odd: fc.constantFrom(-1, 0.5, Number.NaN, 2 ** 53) }),
      ),
    })
    fc.assert(
      fc.property(
        fc.constantFrom(MAX_LIMIT, 50_000, 3000),
        fc.array(op, { maxLength: 400 }),
        (limit, ops) => {
          const w = new ReplayWindow(limit)
          const ref = new ReferenceWindow(limit)
          for (const { accept, where } of ops) {
            const base = Math.max(ref.last, 0)
            const c =
              'near' in where
                ? base + where.near
                : 'jump' in where
                  ? base + where.jump
                  : 'at' in where
                    ? where.at
                    : where.odd
            if (accept) {
              expect(w.accept(c), `accept ${c}`).toBe(ref.accept(c))
            } else {
              const before = w.snapshot()
              expect(w.check(c), `check ${c}`).toBe(ref.check(c))
              expect(sameState(w, before)).toBe(true)
            }
            expect(w.last).toBe(ref.last)
          }
        },
      ),
    )
  })

  it('accepts a shuffled 0..W-1 with duplicates exactly once per counter', () => {
    const counters = Array.from({ length: W }, (_, i) => i)
    fc.assert(
      fc.property(
        fc.constantFrom(0, 2 ** 40 + 17),
        fc.shuffledSubarray(counters, { minLength: W, maxLength: W }),
        fc.array(fc.tuple(fc.nat(W - 1), fc.nat(W - 1)), { maxLength: 300 }),
        (base, order, duplicates) => {
          const delivery = [...order]
          for (const [position, counter] of duplicates) delivery.splice(position, 0, counter)
          const w = new ReplayWindow(MAX_LIMIT)
          const oks = new Map<number, number>()
          for (const c of delivery) {
            const verdict = w.accept(base + c)
            expect(verdict === 'ok' || verdict === 'replayed').toBe(true)
            if (verdict === 'ok') oks.set(c, (oks.get(c) ?? 0) + 1)
          }
          expect(oks.size).toBe(W)
          expect([...oks.values()].every((n) => n === 1)).toBe(true)
          expect(w.last).toBe(base + W - 1)
        },
      ),
      { numRuns: 30 },
    )
  })
})

describe('ReplayWindow state', () => {
  it('snapshot / restore preserves behaviour', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(8000), { maxLength: 200 }),
        fc.array(fc.nat(8000), { maxLength: 200 }),
        (first, second) => {
          const w = new ReplayWindow(MAX_LIMIT)
          for (const c of first) w.accept(c)
          const snap = w.snapshot()
          const restored = ReplayWindow.restore(MAX_LIMIT, snap)
          expect(restored.last).toBe(w.last)
          for (const c of second) expect(restored.accept(c)).toBe(w.accept(c))
        },
      ),
    )
  })

  it('snapshot is a copy', () => {
    const w = new ReplayWindow(MAX_LIMIT)
    w.accept(3)
    const snap = w.snapshot()
    snap.ring.fill(0)
    expect(w.accept(3)).toBe('replayed')
  })

  it('restore copies the ring it is given', () => {
    const w = new ReplayWindow(MAX_LIMIT)
    w.accept(3)
    const snap = w.snapshot()
    const restored = ReplayWindow.restore(MAX_LIMIT, snap)
    snap.ring.fill(0)
    expect(restored.accept(3)).toBe('replayed')
  })

  const ringWith = (word: number, value: number) => {
    const ring = new Uint32Array(REPLAY_WORDS)
    ring[word] = value
    return ring
  }
  it.each<[string, { last: number; ring: Uint32Array }]>([
    ['a short ring', { last: -1, ring: new Uint32Array(3) }],
    ['a plain array', { last: -1, ring: new Array(64).fill(0) as unknown as Uint32Array }],
    ['bits before any accept', { last: -1, ring: ringWith(5, 1) }],
    ['last at the limit', { last: 1000, ring: ringWith(31, 1 << 8) }],
    ['a fractional last', { last: 2.5, ring: ringWith(0, 4) }],
    ['the bit of last not set', { last: 33, ring: ringWith(1, 1) }],
    ['bits above last in its word', { last: 33, ring: ringWith(1, 0b110) }],
  ])('restore rejects %s', (_, snap) => {
    expect(codeOf(() => ReplayWindow.restore(1000, snap))).toBe(ErrorCode.InvalidArgument)
  })

  it('restore accepts a bit in the top position of a word', () => {
    const w = new ReplayWindow(MAX_LIMIT)
    w.accept(63)
    expect(ReplayWindow.restore(MAX_LIMIT, w.snapshot()).accept(63)).toBe('replayed')
  })

  it('reset() zeroes the ring and returns to a fresh window', () => {
    const w = new ReplayWindow(MAX_LIMIT)
    for (let c = 0; c < 3000; c++) w.accept(c)
    w.reset()
    const snap = w.snapshot()
    expect(snap.last).toBe(-1)
    expect(snap.ring.every((word) => word === 0)).toBe(true)
    expect(w.accept(0)).toBe('ok')
    expect(w.accept(0)).toBe('replayed')
  })

  it('a flood of 10^6 random check() calls changes nothing', () => {
    for (const prime of [false, true]) {
      const w = new ReplayWindow(MAX_LIMIT)
      if (prime) for (const c of [0, 1, 2, 500, 2000, 2500]) w.accept(c)
      const before = w.snapshot()
      let x = 0x9e3779b9
      const specials = [Number.NaN, -1, 0.5, Number.POSITIVE_INFINITY, MAX_LIMIT, MAX_LIMIT - 1]
      for (let i = 0; i < 1_000_000; i++) {
        x ^= x << 13
        x ^= x >>> 17
        x ^= x << 5
        const r = x >>> 0
        const c =
          (r & 7) === 0
            ? specials[r % specials.length]!
            : (r & 7) < 4
              ? r % 5000
              : (r >>> 3) * 2 ** 21 + (r & 0xfff)
        w.check(c)
      }
      expect(sameState(w, before)).toBe(true)
      if (prime) expect(w.accept(500)).toBe('replayed')
      else expect(w.accept(0)).toBe('ok')
    }
  })
})

function popcount(word: number): number {
  let n = 0
  for (let v = word >>> 0; v !== 0; v >>>= 1) n += v & 1
  return n
}
