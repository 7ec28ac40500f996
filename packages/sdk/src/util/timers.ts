import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'

/** setTimeout that never keeps a Node process alive by itself (no effect in browsers). */
export function softTimeout(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const t = setTimeout(fn, Math.max(0, Math.min(ms, 2 ** 31 - 1)))
  ;(t as { unref?: () => void }).unref?.()
  return t
}

/** Rejects with RELAY_UNAVAILABLE when `p` has not settled in `ms` (the work itself goes on). */
export function relayDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = softTimeout(
      () =>
        reject(
          new PairlineError(ErrorCode.RelayUnavailable, `The relay could not be reached to ${what}.`, {
            details: `no answer within ${ms} ms; check the relay URL and that the relay is running`,
          }),
        ),
      ms,
    )
  })
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer))
}

/**
 * Where the pairing deadlines (no answer, confirmation, expiry) and the channels' timers (resend,
 * resume retry, delayed ack, grace-period wipe) are scheduled. The default is `softTimeout`; tests
 * pass a manual clock so that "fails within 15 s" is checked without waiting.
 */
export type Timers = {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemTimers: Timers = {
  setTimeout: softTimeout,
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
}
