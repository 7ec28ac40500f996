import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RELAY_PROTOCOL_V2, replyMode, answeredBy as settle } from './codec.js'

/** The requests settled, in the order `each` saw them. */
function answeredBy<T>(pending: Map<number, T>, rid: number): T[] {
  const out: T[] = []
  const n = settle(pending, rid, (r) => out.push(r))
  expect(n).toBe(out.length)
  return out
}

describe('reply modes (PROTOCOL.md §13.3.1)', () => {
  it('mode 2 only when the upgrade response named pairline-relay.2', () => {
    expect(RELAY_PROTOCOL_V2).toBe('pairline-relay.2')
    expect(replyMode('pairline-relay.2')).toBe(2)
    for (const other of ['', undefined, 'pairline-relay.1', 'pairline-relay.2 ', 'PAIRLINE-RELAY.2', 'chat'])
      expect(replyMode(other)).toBe(1)
  })

  it('an OK answers its request and every earlier pending one, in send order', () => {
    const pending = new Map<number, string>([
      [7, 'publish a'],
      [8, 'subscribe'],
      [3, 'publish b'], // rids wrap or skip: send order is the Map's order, not the rid's value
      [9, 'ping'],
    ])
    expect(answeredBy(pending, 3)).toEqual(['publish a', 'subscribe', 'publish b'])
    expect([...pending.keys()]).toEqual([9])
    expect(answeredBy(pending, 9)).toEqual(['ping'])
    expect(pending.size).toBe(0)
  })

  it('an OK for a rid nobody waits for (an ACK in mode 1, a late reply) answers nothing', () => {
    const pending = new Map<number, string>([
      [1, 'a'],
      [2, 'b'],
    ])
    expect(answeredBy(pending, 5)).toEqual([])
    expect(answeredBy(pending, 0)).toEqual([])
    expect([...pending.keys()]).toEqual([1, 2])
  })

  it('property: a mode-1 stream (one OK per request, in order) settles each request once, by its own OK', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 0xffff_ffff }), { minLength: 1, maxLength: 40 }),
        (rids) => {
          const pending = new Map(rids.map((r) => [r, r]))
          for (const r of rids) expect(answeredBy(pending, r)).toEqual([r])
          expect(pending.size).toBe(0)
        },
      ),
    )
  })

  it('property: coalescing any run into its last OK settles the same requests, in the same order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 0xffff_ffff }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        (rids, sendOk) => {
          const pending = new Map(rids.map((r) => [r, r]))
          const settled: number[] = []
          // The relay sends an OK after request i when sendOk[i] (and always after the last).
          rids.forEach((r, i) => {
            if (sendOk[i] || i === rids.length - 1) settled.push(...answeredBy(pending, r))
          })
          expect(settled).toEqual(rids)
          expect(pending.size).toBe(0)
        },
      ),
    )
  })
})
