import type { Metadata } from '../protocol/payloads.js'

type EventMap = Record<string, unknown[]>

/** What a session shows on both sides, with the same names and meanings. */
export interface SessionInfo<E extends EventMap> {
  /** base64url of the 16-byte session id (also its storage key). */
  readonly id: string
  /** The other side's self-declared metadata (unverified). */
  readonly peer: Metadata
  /** The shared addresses, each once, whatever the number of chains. */
  readonly accounts: readonly `0x${string}`[]
  /** Approved chains, CAIP-2. */
  readonly chains: readonly string[]
  readonly methods: readonly string[]
  readonly events: readonly string[]
  /** The current chain, CAIP-2. */
  readonly chainId: string
  /** unix seconds */
  readonly expiresAt: number
  /** Disconnected, expired, or suspended by `close()`. */
  readonly ended: boolean
  /** Ends the session on both sides: tells the peer, wipes keys, forgets the stored session. */
  disconnect(message?: string): Promise<void>
  on<K extends keyof E & string>(event: K, fn: (...args: E[K]) => void): this
  once<K extends keyof E & string>(event: K, fn: (...args: E[K]) => void): this
  off<K extends keyof E & string>(event: K, fn?: (...args: E[K]) => void): this
}
