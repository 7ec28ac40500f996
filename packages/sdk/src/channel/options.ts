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
   * Persists the state (sealed) with the owner's own fields. Calls are serialized and read the
   * state when they run. A message is sent only after the write that holds it has succeeded.
   */
  save?: (state: ChannelState, resumePsk: Uint8Array) => Promise<void>
  rekey?: RekeyPolicy
  /** TTL asked of the relay for frames, seconds. Default 86,400. */
  ttlSeconds?: number
  /** How long to wait for outgoing traffic to carry an ack before sending a bare one, ms. */
  ackDelayMs?: number
  /** Resend timing for unacknowledged messages. */
  retransmit?: RetransmitOptions
  /** Timer functions (tests inject their own). */
  timers?: Timers
}
