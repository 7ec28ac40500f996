import { describe, expect, it } from 'vitest'
import { FrameReceiver, FrameSender } from '../protocol/frameCipher.js'
import { GraceWiper, type Schedule, TimedReceiver } from './graceWipe.js'

const key = new Uint8Array(32).fill(7)
const msg = new TextEncoder().encode('{"t":"ping"}')

/** A clock and a scheduler the test moves by hand: no real time passes. */
function manual() {
  let now = 1_000
  const timers: { fn: () => void; ms: number; cancelled: boolean }[] = []
  const schedule: Schedule = (fn, ms) => {
    const t = { fn, ms, cancelled: false }
    timers.push(t)
    return { cancel: () => (t.cancelled = true) }
  }
  const live = () => timers.filter((t) => !t.cancelled)
  return { now: () => now, advance: (s: number) => (now += s), schedule, timers, live }
}

describe('GraceWiper', () => {
  it('wipes the previous epoch key when the grace period ends, with no frame arriving', () => {
    const c = manual()
    const tx = new FrameSender({ key, nowSeconds: c.now(), policy: { afterMessages: 1, afterSeconds: 1e9 } })
    const rx = new FrameReceiver({ key, graceSeconds: 60 })
    const wiper = new GraceWiper(c.now, c.schedule)
    const first = tx.seal(msg, c.now())
    rx.open(first, c.now())
    wiper.arm(rx)
    expect(c.live()).toHaveLength(0) // epoch 0: nothing to wipe
    rx.open(tx.seal(msg, c.now()), c.now()) // epoch 1: epoch 0 kept for 60 s
    wiper.arm(rx)
    expect(rx.hasPreviousKey).toBe(true)
    expect(c.live().map((t) => t.ms)).toEqual([60_000])

    c.advance(60)
    c.live()[0]!.fn()
    expect(rx.hasPreviousKey).toBe(false)
    expect(rx.previousKeyExpiresAt).toBeNull()
    expect(c.timers).toHaveLength(1)
  })

  it('waits for the rest of the grace period when the timer fires early, and re-arms only on a new deadline', () => {
    const c = manual()
    const tx = new FrameSender({ key, nowSeconds: c.now(), policy: { afterMessages: 1, afterSeconds: 1e9 } })
    const rx = new FrameReceiver({ key, graceSeconds: 60 })
    const wiper = new GraceWiper(c.now, c.schedule)
    rx.open(tx.seal(msg, c.now()), c.now())
    rx.open(tx.seal(msg, c.now()), c.now())
    wiper.arm(rx)
    wiper.arm(rx) // same deadline: no second timer
    expect(c.timers).toHaveLength(1)
    c.advance(59)
    c.timers[0]!.fn() // one second early
    expect(rx.hasPreviousKey).toBe(true)
    expect(c.timers.at(-1)!.ms).toBe(1_000)
    c.advance(1)
    c.timers.at(-1)!.fn()
    expect(rx.hasPreviousKey).toBe(false)
  })

  it('cancel() drops the pending wipe (the receiver is destroyed with its keys anyway)', () => {
    const c = manual()
    const tx = new FrameSender({ key, nowSeconds: c.now(), policy: { afterMessages: 1, afterSeconds: 1e9 } })
    const rx = new FrameReceiver({ key, graceSeconds: 60 })
    const wiper = new GraceWiper(c.now, c.schedule)
    rx.open(tx.seal(msg, c.now()), c.now())
    rx.open(tx.seal(msg, c.now()), c.now())
    wiper.arm(rx)
    wiper.cancel()
    expect(c.live()).toHaveLength(0)
  })
})

describe('TimedReceiver (the channel’s receiver)', () => {
  it('arms the wipe itself when a frame moves the epoch, and destroy() cancels it', () => {
    const c = manual()
    const tx = new FrameSender({ key, nowSeconds: c.now(), policy: { afterMessages: 1, afterSeconds: 1e9 } })
    const rx = new TimedReceiver(key, c.now, c.schedule)
    rx.open(tx.seal(msg, c.now()), c.now())
    rx.open(tx.seal(msg, c.now()), c.now())
    expect(c.live().map((t) => t.ms)).toEqual([60_000])
    c.advance(60)
    c.live()[0]!.fn()
    expect(rx.hasPreviousKey).toBe(false)
    rx.open(tx.seal(msg, c.now()), c.now()) // epoch 2: a new deadline
    expect(c.live().at(-1)!.ms).toBe(60_000)
    rx.destroy()
    expect(c.timers.at(-1)!.cancelled).toBe(true)
  })
})
