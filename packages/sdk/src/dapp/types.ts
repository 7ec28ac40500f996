import type { RelayOptions, SideOptions } from '../core/options.js'
import type { SessionInfo } from '../core/sessionInfo.js'
import type { PairlineError } from '../errors/base.js'
import type { RelayClient } from '../transport/index.js'
import type { Eip1193Provider } from './eip1193.js'
import type { SignIn, SignInOptions, SignInVerifier } from './signIn.js'

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
  /**
   * How long after a request's expiry to wait for the wallet's answer before rejecting the caller
   * with 8001 (outcome unknown), seconds. Default 30.
   */
  answerGraceSeconds?: number
  /**
   * How long both users have, after the handshake, to compare the code and confirm it on both
   * screens (seconds, default 300); then `approved` rejects with PAIRING_EXPIRED.
   */
  approvalTimeoutSeconds?: number
  relay?: RelayOptions
  /**
   * Verifies sign-in at connect (`pair({ signIn })`): `siweVerifier()` from `@pairline/sdk/siwe`
   * (viem; with a client, contract accounts too), or your own. Kept out of this entry so that it
   * never imports viem.
   */
  signInVerifier?: SignInVerifier
}

export type PairOptions = {
  /**
   * Ask the wallet to sign in (EIP-4361) with its approval: the wallet shows the message with the
   * proposal, and `approved` resolves only if the signature verifies (else SIGN_IN_FAILED).
   */
  signIn?: SignInOptions
}

/**
 * Where a pairing stands (docs/PROTOCOL.md §5.1): `offered` (QR shown), `handshakeDone` (a wallet
 * answered: show the code), `walletConfirmed` (its user approved), `dappConfirmed` (this side's
 * user confirmed first), `verified` (both: the session exists), `burned` (a second wallet answered
 * the QR code), `failed` (rejected on either side, expired, cancelled, closed).
 */
export type DappPairingState =
  | 'offered'
  | 'handshakeDone'
  | 'walletConfirmed'
  | 'dappConfirmed'
  | 'verified'
  | 'burned'
  | 'failed'

export type Pairing = {
  /** The pairing URI: show it as a QR code (`@pairline/sdk/qr`) and as a copyable link. */
  readonly uri: string
  /** unix seconds */
  readonly expiresAt: number
  /**
   * The 6-digit code to show once a wallet has answered. The user checks that the wallet shows the
   * same code, then `confirm()`s, or `reject()`s if it differs or the wallet shows none.
   */
  readonly sas: Promise<string>
  /**
   * Resolves with the session once BOTH users confirmed the code (the wallet's approval arrived and
   * `confirm()` was called); nothing is usable before. Rejects with USER_REJECTED (either side),
   * PAIRING_BURNED (someone else answered the QR code), PAIRING_EXPIRED, SESSION_CLOSED (cancelled).
   */
  readonly approved: Promise<DappSession>
  readonly state: DappPairingState
  on(event: 'state', fn: (state: DappPairingState) => void): void
  off(event: 'state', fn: (state: DappPairingState) => void): void
  /**
   * This side's user saw the same code on the wallet. Resolves like `approved` (so, once the wallet
   * approved too). HANDSHAKE_WRONG_STATE before a wallet answered (there is no code yet).
   */
  confirm(): Promise<DappSession>
  /** This side's user saw another code, or none: the pairing ends and the wallet is told. */
  reject(): Promise<void>
  /** Stops the pairing; a wallet that already answered is told it was cancelled. */
  cancel(): void
}

export type Dapp = {
  pair(options?: PairOptions): Promise<Pairing>
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
  /**
   * the wallet's answer to a request no caller is waiting for any more (made before a reload, or
   * answered after the caller got 8001); matched by id and request hash, as every answer
   */
  response: [{ id: string; result?: unknown; error?: { code: number; message: string; data?: unknown } }]
  error: [PairlineError]
}

/**
 * A dApp's live session with one wallet. `provider` is its EIP-1193 face; `accounts`, `chainId`
 * and `expiresAt` follow the wallet's events.
 */
export interface DappSession extends SessionInfo<DappSessionEvents> {
  readonly provider: Eip1193Provider
  /** The verified sign-in, when the pairing asked for one (`pair({ signIn })`). */
  readonly signIn?: SignIn | undefined
  /** Sends a request to the wallet; rejects with a ProviderRpcError. Prefer `provider.request`. */
  request(method: string, params?: unknown): Promise<unknown>
}
