import type { DeviceKey } from '../keys/device.js'
import type { Metadata } from '../protocol/payloads.js'
import type { Storage } from '../storage/types.js'
import type { ReconnectOptions, WebSocketConstructor } from '../transport/index.js'
import type { Timers } from '../util/timers.js'

/** Relay-client settings, the same for both sides. */
export type RelayOptions = {
  /** Default: `WebSocket` from `isows` (the browser's own, `ws` on Node). */
  WebSocket?: WebSocketConstructor
  /** Backoff after a lost connection (initial and max delay, factor, jitter). */
  reconnect?: ReconnectOptions
  /** How long pair() waits for the relay before failing with RELAY_UNAVAILABLE (ms, default 10,000). */
  connectTimeoutMs?: number
  /** A relay request without an answer within this time fails with REQUEST_TIMEOUT (ms, default 10,000). */
  requestTimeoutMs?: number
  /** App-level ping period (ms, default 20,000). */
  pingIntervalMs?: number
  /** How long the relay keeps each session message for the other side (seconds, default 86,400). */
  messageTtlSeconds?: number
  /**
   * Accept a `ws://` relay that is not on this machine (a private network you trust). Without it
   * such a relay, from a QR or the app, fails with RELAY_INSECURE: over plain WebSocket anyone on
   * the path sees its topics.
   */
  allowInsecureRelay?: boolean
}

/** What createDapp and createWallet have in common. */
export type SideOptions = {
  /** Shown to the other side, marked as self-declared. */
  metadata: Metadata
  /** Chains: CAIP-2 ids (`eip155:1`) or EVM chain numbers. */
  chains: readonly (number | string)[]
  /**
   * Where sessions persist. Default: in a browser, IndexedDB sealed with a non-extractable
   * WebCrypto key; elsewhere, memory (pass a sealed fileStorage to persist in Node).
   */
  storage?: Storage
  /**
   * This installation's device key, which every resume is signed with so that a copied stored
   * session cannot resume elsewhere (docs/PROTOCOL.md §8.3). Default: in a browser, a
   * non-extractable WebCrypto key kept in IndexedDB; elsewhere, one per storage object for the
   * life of the process. Node apps that persist sessions in files pass `fileDeviceKey(path)` from
   * `@pairline/sdk/storage/file`, or their own over an OS keystore.
   */
  deviceKey?: DeviceKey | Promise<DeviceKey>
  /** First delay before an unanswered resume message 1 is sent again, ms (default 3,000). For tests. */
  resumeRetryMs?: number
  /** The clock, in unix seconds as everywhere in Pairline (default `Date.now() / 1000`). For tests. */
  now?: () => number
  /**
   * Where the pairing deadlines and every session's timers are scheduled: the resend timer with
   * its backoff (§14.1), the resume retry (§8.1), the delayed ack and the old key's wipe after a
   * rekey (§7.6), the session's expiry and each request's (the wallet's 8000 at `expiresAt`, the
   * dApp's 8001 after its grace, §14.5). Default: `setTimeout`, never holding the process. For tests: a
   * manual clock checks "sent again after 2 s" or "fails within 15 s" without waiting.
   */
  timers?: Timers
  relay?: RelayOptions
}
