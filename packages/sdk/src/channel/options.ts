import type { RekeyPolicy } from '../protocol/frameCipher.js'
import type { RandomBytes } from '../protocol/random.js'
import type { RelayClient } from '../transport/index.js'
import type { ChannelState } from './state.js'

export const DEFAULT_TTL_SECONDS = 86_400

export type ChannelOptions = {
  relay: RelayClient
  randomBytes: RandomBytes
  /** unix seconds */
  now: () => number
  /** Called after every state change; the owner persists (sealed). Calls are serialized. */
  save?: (state: ChannelState, resumePsk: Uint8Array) => Promise<void>
  rekey?: RekeyPolicy
  /** TTL asked of the relay for frames, seconds. Default 86,400. */
  ttlSeconds?: number
  /** How long to wait for outgoing traffic to carry an ack before sending a bare one, ms. */
  ackDelayMs?: number
}
