import { invalidArgument } from './errors.js'
import type { ReconnectOptions } from './types.js'

export type Backoff = {
  initialDelayMs: number
  maxDelayMs: number
  factor: number
  jitter: number
}

export const DEFAULT_BACKOFF: Readonly<Backoff> = {
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  factor: 2,
  jitter: 0.5,
}

/** setTimeout's largest delay; anything above fires at once. */
export const MAX_TIMER_MS = 2_147_483_647

function check(name: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalidArgument(`reconnect.${name} must be a number from ${min} to ${max}.`, `got ${String(value)}`)
  }
  return value
}

/** Fills in the defaults and checks the ranges (INVALID_ARGUMENT). */
export function resolveBackoff(options: ReconnectOptions = {}): Backoff {
  const initialDelayMs = check(
    'initialDelayMs',
    options.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
    0,
    MAX_TIMER_MS,
  )
  const maxDelayMs = check('maxDelayMs', options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs, 0, MAX_TIMER_MS)
  if (maxDelayMs < initialDelayMs) {
    throw invalidArgument('reconnect.maxDelayMs must not be below reconnect.initialDelayMs.')
  }
  return {
    initialDelayMs,
    maxDelayMs,
    factor: check('factor', options.factor ?? DEFAULT_BACKOFF.factor, 1, 1000),
    jitter: check('jitter', options.jitter ?? DEFAULT_BACKOFF.jitter, 0, 1),
  }
}

/**
 * The wait before reconnect attempt `attempt` (0 for the first after a loss):
 * `base = min(max, initial * factor^attempt)`, of which the fraction `jitter` is random, so the
 * delay lies in `(base * (1 - jitter), base]`. Pure: `random` is injected (a value in [0, 1)).
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const { initialDelayMs, maxDelayMs, factor, jitter } = backoff
  const grown = initialDelayMs * factor ** Math.max(0, attempt)
  // 0 * Infinity is NaN: a zero initial delay stays zero however many attempts failed.
  const base = initialDelayMs === 0 ? 0 : Number.isFinite(grown) ? Math.min(maxDelayMs, grown) : maxDelayMs
  const r = random()
  const unit = Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0
  return Math.round(base * (1 - jitter * unit))
}
