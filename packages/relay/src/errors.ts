/**
 * The one error class the relay throws (to the operator or the embedding code: clients get ERROR
 * frames and close codes instead, §13.6). `code` is stable and machine-readable; docs/PROTOCOL.md
 * §13.6 lists every code. Messages never carry a payload, a topic or a client address.
 */
export const RelayFailure = {
  /** a limit is not a positive integer, or limits contradict each other */
  InvalidLimit: 'RELAY_INVALID_LIMIT',
  /** an option, CLI flag or environment variable has a value the relay cannot use */
  InvalidOption: 'RELAY_INVALID_OPTION',
  /** the TLS certificate or key could not be read or used */
  TlsFailed: 'RELAY_TLS_FAILED',
  /** a listener could not bind its address or port (the cause says why, e.g. EADDRINUSE) */
  ListenFailed: 'RELAY_LISTEN_FAILED',
} as const
export type RelayFailure = (typeof RelayFailure)[keyof typeof RelayFailure]

export type RelayErrorOptions = { details?: string | undefined; cause?: unknown }

export class RelayError extends Error {
  override name = 'RelayError'
  readonly code: RelayFailure
  readonly shortMessage: string
  readonly details: string | undefined

  constructor(code: RelayFailure, shortMessage: string, options: RelayErrorOptions = {}) {
    super(
      options.details ? `${shortMessage} (${options.details})` : shortMessage,
      options.cause === undefined ? undefined : { cause: options.cause },
    )
    this.code = code
    this.shortMessage = shortMessage
    this.details = options.details
  }
}

export function isRelayError(err: unknown, code?: RelayFailure): err is RelayError {
  return err instanceof RelayError && (code === undefined || err.code === code)
}
