import type { Timers } from '@pairline/sdk'

type Entry = { due: number; ms: number; fn: () => void }

/**
 * A manual clock for the SDK's pairing deadlines (`timers` option): nothing fires until the test
 * calls `advance(ms)`, so "fails within 15 s" is checked without waiting, and an answer that
 * arrives while the clock stands still arrived without any deadline's help.
 */
export type ManualTimers = Timers & {
  /** ms advanced so far */
  readonly now: number
  /** Delays (ms) of the timers still waiting, in the order they were set. */
  pending(): number[]
  /** Resolves once a timer of exactly `ms` is waiting (set now or later). */
  armed(ms: number): Promise<void>
  /** Moves the clock forward, firing every timer that falls due, in order. */
  advance(ms: number): void
  /** Moves the clock to the earliest waiting timer and fires it (and any due then); false if none waits. */
  next(): boolean
}

export function manualTimers(): ManualTimers {
  let now = 0
  let next = 1
  const entries = new Map<number, Entry>()
  const waiters: { ms: number; resolve: () => void }[] = []
  const wake = () => {
    for (const w of [...waiters])
      if ([...entries.values()].some((e) => e.ms === w.ms)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
  }
  return {
    get now() {
      return now
    },
    setTimeout(fn, ms) {
      const id = next++
      entries.set(id, { due: now + Math.max(0, ms), ms, fn })
      wake()
      return id
    },
    clearTimeout(handle) {
      entries.delete(handle as number)
    },
    pending: () => [...entries.values()].map((e) => e.ms),
    armed(ms) {
      return new Promise<void>((resolve) => {
        waiters.push({ ms, resolve })
        wake()
      })
    },
    next() {
      const first = Math.min(...[...entries.values()].map((e) => e.due))
      if (!Number.isFinite(first)) return false
      this.advance(first - now)
      return true
    },
    advance(ms) {
      const until = now + ms
      for (;;) {
        const due = [...entries.entries()]
          .filter(([, e]) => e.due <= until)
          .sort((a, b) => a[1].due - b[1].due)[0]
        if (!due) break
        entries.delete(due[0])
        now = due[1].due
        due[1].fn()
      }
      now = until
    },
  }
}
