import { type RelayErrorCode, RelayErrorName } from '@pairline/wire'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'

/** The relay's name for an error code (`TOPIC_MAILBOX_FULL`, ...), or `CODE_<n>` for one we do not know. */
export function relayErrorName(code: number): string {
  return RelayErrorName[code as RelayErrorCode] ?? `CODE_${code}`
}

export function invalidArgument(shortMessage: string, details?: string): PairlineError {
  return new PairlineError(ErrorCode.InvalidArgument, shortMessage, { details })
}

/** The relay answered ERROR; `details` is exactly the relay's error name. */
export function relayRejected(name: string): PairlineError {
  return new PairlineError(ErrorCode.RelayRejected, 'The relay rejected the request.', { details: name })
}

export function relayUnavailable(details: string): PairlineError {
  return new PairlineError(ErrorCode.RelayUnavailable, 'The connection to the relay was lost.', { details })
}

export function requestTimeout(what: string, ms: number): PairlineError {
  return new PairlineError(ErrorCode.RequestTimeout, 'The relay did not answer in time.', {
    details: `no reply to ${what} within ${ms} ms`,
  })
}

export function sessionClosed(): PairlineError {
  return new PairlineError(ErrorCode.SessionClosed, 'The relay client is closed.')
}

export function frameMalformed(details: string): PairlineError {
  return new PairlineError(ErrorCode.FrameMalformed, 'The relay sent a malformed frame.', { details })
}

/** An event listener threw: reported as an 'error' event, never thrown into the socket's callbacks. */
export function listenerFailed(event: string, cause: unknown): PairlineError {
  return new PairlineError(ErrorCode.InternalError, `A '${event}' listener of the relay client threw.`, {
    cause,
  })
}
