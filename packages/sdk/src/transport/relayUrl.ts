import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'

/** Hosts that are this machine: traffic to them never crosses a network. */
function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase()
  if (h === 'localhost' || h.endsWith('.localhost') || h === '[::1]') return true
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h)
  return v4?.slice(1).every((n) => Number(n) <= 255) ?? false
}

/**
 * Refuses a plain `ws://` relay that is not on this machine unless the app opted in: the QR picks
 * the relay, and over ws:// anyone on the network path sees every topic and when it is used (the
 * payloads stay sealed, but the metadata does not), and can drop or delay frames unnoticed.
 * `url` has already been checked to be a ws:// or wss:// URL.
 */
export function checkRelayUrl(url: string, allowInsecureRelay: boolean): void {
  const parsed = new URL(url)
  if (parsed.protocol !== 'ws:' || allowInsecureRelay || isLoopback(parsed.hostname)) return
  throw new PairlineError(
    ErrorCode.RelayInsecure,
    'The relay URL is unencrypted (ws://) and not on this machine: anyone on the network path could see its topics. Use a wss:// relay, or set allowInsecureRelay for one you trust.',
    { details: `host ${parsed.host}` },
  )
}
