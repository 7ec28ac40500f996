/**
 * Assertions on refusals: what a test expects is a PairlineError with a given code AND message,
 * never "it throws" (a TypeError from a bug would pass that).
 */
import { PairlineError } from '@pairline/sdk'

/** `CODE: short message` of the PairlineError that `fn` throws; anything else fails the test. */
export function refusal(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof PairlineError) return `${err.code}: ${err.shortMessage}`
    throw new Error(`expected a PairlineError, got ${String(err)}`, { cause: err })
  }
  throw new Error('expected a PairlineError, nothing was thrown')
}

/** The same for a promise that must reject. */
export async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    if (err instanceof PairlineError) return `${err.code}: ${err.shortMessage}`
    throw new Error(`expected a PairlineError, got ${String(err)}`, { cause: err })
  }
  throw new Error('expected a PairlineError, the promise resolved')
}
