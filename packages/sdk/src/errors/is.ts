import { PairlineError } from './base.js'
import type { ErrorCode } from './codes.js'
import { ProviderRpcError } from './provider.js'

/**
 * True when `err` is a PairlineError (a ProviderRpcError included), optionally with the given code;
 * a provider error matches its `pairlineCode`.
 */
export function isPairlineError(err: unknown, code?: ErrorCode): err is PairlineError<ErrorCode | number> {
  if (!(err instanceof PairlineError)) return false
  if (code === undefined) return true
  return err.code === code || (err instanceof ProviderRpcError && err.pairlineCode === code)
}
