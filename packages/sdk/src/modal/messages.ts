import { ErrorCode } from '../errors/codes.js'
import { isPairlineError } from '../errors/is.js'

/** What the modal shows: one of these, as `data-state` on the element and in its `state` event. */
export type ModalState = 'starting' | 'waiting' | 'answered' | 'codes' | 'confirmed' | 'connected' | 'error'

export const STATUS: Record<Exclude<ModalState, 'error'>, string> = {
  starting: 'Preparing a pairing code…',
  waiting: 'Scan this code with your wallet, or open the link on this device.',
  answered: 'Your wallet answered. Getting the code…',
  codes: 'Your wallet answered. Compare the code below with the one it shows.',
  confirmed: 'Code confirmed. Approve the connection in your wallet.',
  connected: 'Connected.',
}

/**
 * A failure a person can act on, in words, with its stable error code. `youRejected`: this side's
 * user said the codes differ (the same USER_REJECTED as the wallet declining).
 */
export function failureText(err: unknown, youRejected: boolean): { code: string; text: string } {
  if (!isPairlineError(err)) return { code: 'UNKNOWN', text: 'Something went wrong. Try again.' }
  const code = String(err.code)
  switch (err.code) {
    case ErrorCode.UserRejected:
      return {
        code,
        text: youRejected
          ? 'You said the codes differ: nothing was connected. Try again with a new code.'
          : 'Your wallet declined the connection.',
      }
    case ErrorCode.PairingBurned:
      return {
        code,
        text: 'Another device answered this code, so it was burned and nothing was connected. Try again with a new code.',
      }
    case ErrorCode.PairingExpired:
    case ErrorCode.UriExpired:
      return { code, text: 'The code expired before the connection was confirmed. Try again with a new one.' }
    case ErrorCode.RelayUnavailable:
    case ErrorCode.RelayRejected:
      return { code, text: 'The Pairline relay cannot be reached. Check your connection and try again.' }
    case ErrorCode.Disconnected:
      return { code, text: 'The wallet ended the pairing. Try again.' }
    default:
      return { code, text: `${err.shortMessage} Try again.` }
  }
}

/** "123456" shown as "123 456" (read digit by digit by screen readers through aria-label). */
export function groupCode(sas: string): string {
  return sas.length === 6 ? `${sas.slice(0, 3)} ${sas.slice(3)}` : sas
}
