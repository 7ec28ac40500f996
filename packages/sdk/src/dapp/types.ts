import type { RelayOptions, SideOptions } from '../core/options.js'
import type { SessionInfo } from '../core/sessionInfo.js'
import type { PairlineError } from '../errors/base.js'
import type { RelayClient } from '../transport/index.js'
import type { Eip1193Provider } from './eip1193.js'

export type DappOptions = SideOptions & {
  /** The relay both sides use, e.g. wss://relay.example */
  relayUrl: string
  /** The chains the session must have (the wallet must approve each). */
  chains: readonly (number | string)[]
  optionalChains?: readonly (number | string)[]
  /** Wallet methods to ask for; default all of WALLET_METHODS. */
  methods?: readonly string[]
  events?: readonly string[]
  /** Read-only JSON-RPC endpoints per chain, for eth_call, eth_getBalance, ... */
  rpcUrls?: Readonly<Record<string | number, string>>
  pairingTtlSeconds?: number
  sessionTtlSeconds?: number
  requestTtlSeconds?: number
  /** How long the wallet's user has to compare the code and approve, after the handshake. */
  approvalTimeoutSeconds?: number
  relay?: RelayOptions
}

export type Pairing = {
  /** The pairing URI: show it as a QR code (`@pairline/sdk/qr`) and as a copyable link. */
  readonly uri: string
  /** unix seconds */
  readonly expiresAt: number
  /** The 6-digit code to show once a wallet has answered; the user compares it with the wallet's. */
  readonly sas: Promise<string>
  /** Resolves when the wallet's user approved; rejects on rejection, expiry, cancel or a burned QR. */
  readonly approved: Promise<DappSession>
  cancel(): void
}

export type Dapp = {
  pair(): Promise<Pairing>
  /** Sessions stored by an earlier run, resumed with a fresh handshake each. */
  restoreSessions(): Promise<DappSession[]>
  readonly sessions: readonly DappSession[]
  readonly relay: RelayClient
  /** Stops without ending the sessions, so that a later run can restore them. */
  close(): Promise<void>
}

export type DappSessionEvents = {
  /** the wallet's accounts changed: addresses, each once */
  accountsChanged: [readonly `0x${string}`[]]
  /** the wallet switched chain (CAIP-2) */
  chainChanged: [string]
  /** the wallet or this side ended the session; code 4900 as EIP-1193's disconnect */
  disconnect: [{ code: number; message: string }]
  /** expiry extended by the wallet (unix seconds) */
  extended: [number]
  /** a response to a request made before a reload (no caller is waiting for it any more) */
  response: [{ id: number; result?: unknown; error?: { code: number; message: string } }]
  error: [PairlineError]
}

/**
 * A dApp's live session with one wallet. `provider` is its EIP-1193 face; `accounts`, `chainId`
 * and `expiresAt` follow the wallet's events.
 */
export interface DappSession extends SessionInfo<DappSessionEvents> {
  readonly provider: Eip1193Provider
  /** Sends a request to the wallet; rejects with a ProviderRpcError. Prefer `provider.request`. */
  request(method: string, params?: unknown): Promise<unknown>
}
