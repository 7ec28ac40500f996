import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'

/** The longest a session may run from now: 7 days (docs/PROTOCOL.md §14.2 "Session expiry"). */
export const MAX_SESSION_SECONDS = 7 * 24 * 3600

/** How far the peer's clock may run ahead of ours when an `extend` is checked (§14.2). */
export const EXPIRY_SKEW_SECONDS = 300

/** The latest expiry a session may have at `nowSeconds` (the proposal, the approval, `extend`). */
export function latestExpiry(nowSeconds: number): number {
  return Math.floor(nowSeconds) + MAX_SESSION_SECONDS
}

/** The typed refusal of an expiry beyond the maximum; `details` give both numbers. */
export function expiryRefused(what: string, expiresAt: number, latest: number): PairlineError {
  return new PairlineError(ErrorCode.ExpiryRefused, `${what} is more than 7 days away.`, {
    details: `expiresAt ${expiresAt} is after ${latest}`,
  })
}
