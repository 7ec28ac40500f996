import type { ErrorCode } from './codes.js'

export type PairlineErrorOptions = {
  /** Extra, non-secret context for developers (never key bytes). */
  details?: string | undefined
  cause?: unknown
}

/**
 * The one error root of Pairline. `code` is stable and machine-readable (an `ErrorCode`, or an
 * EIP-1193 number for a `ProviderRpcError`); `shortMessage` is the human sentence; `message` adds
 * the details and the code. Never carries secret bytes.
 */
export class PairlineError<C extends ErrorCode | number = ErrorCode> extends Error {
  override name = 'PairlineError'
  readonly code: C
  readonly shortMessage: string
  readonly details: string | undefined

  constructor(code: C, shortMessage: string, options: PairlineErrorOptions = {}) {
    const lines = [shortMessage]
    if (options.details) lines.push('', `Details: ${options.details}`)
    lines.push(`Code: ${code}`)
    super(lines.join('\n'), options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.shortMessage = shortMessage
    this.details = options.details
  }

  /** Walks the `cause` chain and returns the deepest error (or the first matching `fn`). */
  walk(fn?: (err: unknown) => boolean): unknown {
    let err: unknown = this
    for (;;) {
      if (fn?.(err)) return err
      const next = (err as { cause?: unknown } | null)?.cause
      if (next === undefined || next === null) return fn ? null : err
      err = next
    }
  }
}
