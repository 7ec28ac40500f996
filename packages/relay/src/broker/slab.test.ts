import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FrameSlabs } from './slab.js'

const SLAB = 1024

/** A frame of `length` bytes, every byte `tag`. */
function fill(slabs: FrameSlabs, length: number, tag: number): Uint8Array {
  const f = slabs.alloc(length)
  f.fill(tag)
  return f
}

const intact = (f: Uint8Array, tag: number) => f.every((b) => b === tag)

describe('FrameSlabs', () => {
  it('packs frames into one slab until it is full, then opens the next', () => {
    const slabs = new FrameSlabs({ slabBytes: SLAB })
    const a = fill(slabs, 100, 1)
    const b = fill(slabs, 100, 2)
    expect(a.buffer).toBe(b.buffer)
    expect(b.byteOffset).toBe(a.byteOffset + 100)
    const frames = [a, b]
    for (let i = 0; i < 8; i++) frames.push(fill(slabs, 100, 3 + i))
    const c = fill(slabs, 100, 20) // 10 × 100 = 1000 used: 100 more does not fit
    expect(c.buffer).not.toBe(a.buffer)
    expect(slabs.stats()).toEqual({ slabs: 2, reserved: 2 * SLAB, live: 1100 })
    frames.forEach((f, i) => {
      expect(intact(f, i + 1)).toBe(true)
    })
  })

  it('gives frames larger than 1/8 of a slab a buffer of their own, and ignores foreign frames', () => {
    const slabs = new FrameSlabs({ slabBytes: SLAB })
    const big = slabs.alloc(SLAB / 8 + 1)
    expect(big.byteLength).toBe(SLAB / 8 + 1)
    expect(slabs.stats()).toEqual({ slabs: 0, reserved: 0, live: 0 })
    slabs.free(big)
    slabs.free(new Uint8Array(10))
    expect(slabs.stats().live).toBe(0)
  })

  it('drops a closed slab when its last frame is freed, and never reuses its memory', () => {
    const slabs = new FrameSlabs({ slabBytes: SLAB })
    const first = Array.from({ length: 10 }, (_, i) => fill(slabs, 100, i))
    const next = fill(slabs, 100, 10) // closes the first slab
    for (const f of first.slice(1)) slabs.free(f)
    expect(slabs.stats()).toEqual({ slabs: 2, reserved: 2 * SLAB, live: 200 })
    slabs.free(first[0]!)
    expect(slabs.stats()).toEqual({ slabs: 1, reserved: SLAB, live: 100 })
    for (let i = 0; i < 50; i++) expect(fill(slabs, 100, 99).buffer).not.toBe(first[0]!.buffer)
    // A send in flight may still hold the freed views: their bytes are left as they were.
    first.forEach((f, i) => {
      expect(intact(f, i)).toBe(true)
    })
    expect(intact(next, 10)).toBe(true)
  })

  it('does not reuse the current slab either, even when all its frames are freed', () => {
    const slabs = new FrameSlabs({ slabBytes: SLAB })
    const a = fill(slabs, 100, 1)
    slabs.free(a)
    const b = fill(slabs, 100, 2)
    expect(b.buffer).toBe(a.buffer)
    expect(b.byteOffset).toBe(100)
    expect(intact(a, 1)).toBe(true)
  })

  it('moves the frames of old, mostly free slabs once the waste is worth it, leaving old bytes intact', () => {
    const slabs = new FrameSlabs({ slabBytes: SLAB, minAgeSweeps: 2, slackBytes: 2 * SLAB })
    // 8 full slabs of 10 frames; one frame in each stays live.
    const kept: Uint8Array[] = []
    for (let s = 0; s < 8; s++) {
      for (let i = 0; i < 10; i++) {
        const f = fill(slabs, 100, s + 1)
        if (i === 0) kept.push(f)
        else slabs.free(f)
      }
    }
    fill(slabs, 100, 99) // closes the 8th slab
    expect(slabs.stats()).toEqual({ slabs: 9, reserved: 9 * SLAB, live: 900 })
    expect(slabs.sweep()).toBeNull() // closed for less than 2 sweeps
    const evacuate = slabs.sweep()
    expect(evacuate?.size).toBe(8)
    const moved = kept.map((f) => {
      expect(evacuate?.has(f.buffer)).toBe(true)
      return slabs.move(f)
    })
    moved.forEach((f, i) => {
      expect(intact(f, i + 1)).toBe(true)
      expect(intact(kept[i]!, i + 1)).toBe(true)
      expect(f.buffer).toBe(moved[0]!.buffer) // long-lived frames end up together
    })
    // 8 evacuated slabs dropped; the current slab and the slab of moved frames remain.
    expect(slabs.stats()).toEqual({ slabs: 2, reserved: 2 * SLAB, live: 900 })
    expect(slabs.sweep()).toBeNull()
  })

  it('leaves slabs that are more than half live where they are', () => {
    const slabs = new FrameSlabs({ slabBytes: SLAB, minAgeSweeps: 0, slackBytes: 0 })
    const frames = Array.from({ length: 50 }, (_, i) => fill(slabs, 100, i)) // 5 slabs of 10
    fill(slabs, 100, 50) // closes the 5th
    for (let i = 0; i < 10; i += 3) slabs.free(frames[i]!) // 1st slab: 6 of 10 live
    for (let i = 10; i < 50; i++) if (i % 10 !== 0) slabs.free(frames[i]!) // others: 1 of 10
    const evacuate = slabs.sweep()
    expect(evacuate?.size).toBe(4)
    expect(evacuate?.has(frames[1]!.buffer)).toBe(false)
  })

  it('never hands out a region that overlaps one it handed out before (random alloc, free, sweep, move)', () => {
    const op = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({ k: fc.constant('alloc' as const), n: fc.integer({ min: 1, max: 200 }) }),
      },
      { weight: 3, arbitrary: fc.record({ k: fc.constant('free' as const), i: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('sweep' as const) }) },
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const slabs = new FrameSlabs({ slabBytes: SLAB, minAgeSweeps: 1, slackBytes: 0 })
        /** every region ever handed out, per buffer: [start, end) */
        const handed = new Map<ArrayBufferLike, [number, number][]>()
        const live: { f: Uint8Array; tag: number }[] = []
        /** freed frames: a send in flight may still read them, so they must not change either */
        const freed: { f: Uint8Array; tag: number }[] = []
        let tag = 0
        const record = (f: Uint8Array) => {
          const regions = handed.get(f.buffer) ?? []
          for (const [s, e] of regions)
            expect(f.byteOffset >= e || f.byteOffset + f.byteLength <= s).toBe(true)
          regions.push([f.byteOffset, f.byteOffset + f.byteLength])
          handed.set(f.buffer, regions)
        }
        for (const o of ops) {
          if (o.k === 'alloc') {
            tag = (tag + 1) % 256
            const f = fill(slabs, o.n, tag)
            record(f)
            live.push({ f, tag })
          } else if (o.k === 'free' && live.length > 0) {
            const [x] = live.splice(o.i % live.length, 1)
            slabs.free(x!.f)
            freed.push(x!)
          } else if (o.k === 'sweep') {
            const evacuate = slabs.sweep()
            for (const x of live) {
              if (!evacuate?.has(x.f.buffer)) continue
              freed.push({ ...x })
              x.f = slabs.move(x.f)
              record(x.f)
            }
          }
          for (const x of [...live, ...freed]) expect(intact(x.f, x.tag)).toBe(true)
          const inSlabs = live.filter((x) => x.f.byteLength <= SLAB / 8)
          expect(slabs.stats().live).toBe(inSlabs.reduce((n, x) => n + x.f.byteLength, 0))
          expect(slabs.stats().reserved).toBeLessThanOrEqual(handed.size * SLAB)
        }
      }),
      { numRuns: 200 },
    )
  })
})
