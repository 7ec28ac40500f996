import type { DeviceKey } from '../keys/device.js'
import type { RekeyPolicy } from '../protocol/frameCipher.js'
import type { RandomBytes } from '../protocol/random.js'
import type { RelayClient } from '../transport/index.js'
import type { RetransmitOptions, Timers } from './retransmitTimer.js'
import type { ChannelState } from './state.js'

export const DEFAULT_TTL_SECONDS = 86_400

export type ChannelOptions = {
  relay: RelayClient
  randomBytes: RandomBytes
  /** unix seconds */
  now: () => number
  /**
   * Persists the state (sealed) with the owner's own fields; `secrets`: the resume psks (§14.4).
   * Calls are serialized and read the state when they run. A message is sent only after the write
   * that holds it has succeeded.
   */
  save?: (state: ChannelState, secrets: Uint8Array) => Promise<void>
  /** This installation's device key: signs every resume message (§8.3). */
  device: DeviceKey
  /** First delay before resume message 1 is sent again when no message 2 came, ms (default 3,000). */
  resumeRetryMs?: number
  /** Frames failing in a row on the live topic before a resume starts (default 3). */
  resumeAfterFailures?: number
  rekey?: RekeyPolicy
  /** TTL asked of the relay for frames, seconds. Default 86,400. */
  ttlSeconds?: number
  /** How long to wait for outgoing traffic to carry an ack before sending a bare one, ms. */
  ackDelayMs?: number
  /** Resend timing for unacknowledged messages. */
  retransmit?: RetransmitOptions
  /**
   * Where the channel schedules its resend timer, resume retry, delayed ack and grace-period wipe
   * (default `setTimeout`, never holding the process): the app's `timers` option.
   */
  timers?: Timers
}
