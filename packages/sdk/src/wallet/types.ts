import type { Account, Transport } from 'viem'
import type { SideOptions } from '../core/options.js'
import type { SessionInfo } from '../core/sessionInfo.js'
import type { PairlineError } from '../errors/base.js'
import type { ErrorCode } from '../errors/codes.js'
import type { Metadata, Namespaces } from '../protocol/payloads.js'
import type { RelayClient } from '../transport/index.js'
import type { WalletSignIn } from './signIn.js'
import type { RequestView } from './view/types.js'

export type WalletOptions = SideOptions & {
  /**
   * The wallet's viem Accounts (one or several). Pairline asks them to sign; it never sees a
   * private key. A session approves some or all of them; requests name the one to sign with.
   */
  accounts: readonly Account[]
  /** Chains this wallet can serve: CAIP-2 ids or EVM chain numbers. */
  chains: readonly (number | string)[]
  /**
   * viem transports per chain, used to fill and broadcast eth_sendTransaction. Without one for any
   * approved chain, a session does not offer the transaction methods (§14.6).
   */
  transports?: Readonly<Record<string | number, Transport>>
  /**
   * Offer `eth_sign` (default false). It asks the user to sign opaque bytes, usually a 32-byte
   * hash whose meaning the wallet cannot show: a phishing dApp passes off the hash of a permit or
   * an order as harmless. Enable it only for dApps that need it (old web3.js `eth.sign`); the
   * view flags 32-byte messages (`hashLike`). Pairline signs it as EIP-191 (like personal_sign),
   * never as a raw hash, so it can never sign a transaction.
   */
  ethSign?: boolean
  /**
   * How long pair() waits for the dApp's answer once the relay took the wallet's message 1 (ms,
   * default 15,000; a live dApp answers in milliseconds). Then PAIRING_NO_ANSWER: the QR code is
   * damaged, expired or already used, or the dApp was closed.
   */
  answerTimeoutMs?: number
  /**
   * How long, after the handshake, the wallet waits for both users to confirm the code (seconds,
   * default 300); then the proposal fails with PAIRING_EXPIRED and the dApp is told.
   */
  confirmTimeoutSeconds?: number
}

export type ApproveOptions = {
  /** Addresses to share, each among the wallet's accounts (default: all of them). */
  accounts?: readonly `0x${string}`[]
  chains?: readonly (number | string)[]
  chainId?: number | string
}

/**
 * Where a pairing stands on the wallet (docs/PROTOCOL.md §5.1): `handshakeDone` (show the code),
 * `walletConfirmed` (this user approved; waiting for the dApp's user), `verified` (the dApp's
 * user confirmed too: the session exists), `burned` (someone else answered the QR code), `failed`
 * (rejected on either side, expired, cancelled, closed).
 */
export type WalletPairingState = 'handshakeDone' | 'walletConfirmed' | 'verified' | 'burned' | 'failed'

/** A dApp's session proposal, after the handshake: show `peer`, the SAS and the chains, then decide. */
export type WalletProposal = {
  /** The dApp's metadata: self-declared, nothing verifies it. Say so in the UI. */
  readonly peer: Metadata
  /** The 6-digit code: the user must check it matches the dApp's screen before approving. */
  readonly sas: string
  readonly namespaces: { readonly required: Namespaces; readonly optional: Namespaces }
  /** The session expiry the dApp proposes (unix seconds). */
  readonly expiresAt: number
  /**
   * The dApp asks to sign in (EIP-4361): show `signIn.message()` with the proposal. `approve()`
   * signs it with the first approved account for the approved chain.
   */
  readonly signIn?: WalletSignIn
  readonly state: WalletPairingState
  /**
   * Resolves with the session once both users confirmed the code and the session is stored;
   * rejects as soon as the pairing ends otherwise, even before this user answered: PAIRING_BURNED
   * (the QR code was seen by someone else), USER_REJECTED (the dApp's user saw another code),
   * PAIRING_CANCELLED, PAIRING_EXPIRED, STORAGE_FAILED (the session could not be stored).
   */
  readonly verified: Promise<WalletSession>
  /**
   * This user compared the code and approves: sends the approval, then resolves like `verified`
   * (so, only once the dApp's user confirmed too). Throws at once, leaving the proposal open,
   * UNAUTHORIZED for an address the wallet cannot sign for; UNSUPPORTED_METHOD for a missing chain.
   */
  approve(options?: ApproveOptions): Promise<WalletSession>
  /** Declines (e.g. the codes differ). The dApp's `approved` rejects with USER_REJECTED. */
  reject(reason?: string): Promise<void>
}

export type Wallet = {
  pair(uri: string): Promise<WalletProposal>
  restoreSessions(): Promise<WalletSession[]>
  readonly sessions: readonly WalletSession[]
  /**
   * The relay clients, by relay URL: each pairing URI names its dApp's relay, so a wallet may use
   * several (a dApp uses one: `Dapp.relay`). A client appears on the first pairing or restore that needs it.
   */
  readonly relays: ReadonlyMap<string, RelayClient>
  /** Stops without ending the sessions, so that a later run can restore them. */
  close(): Promise<void>
}

/**
 * How a request ended, as `approve()` and `reject()` resolve (they never reject: an `async`
 * request handler cannot leak an unhandled rejection). The dApp was told the matching answer.
 */
export type RequestOutcome =
  /** the account signed / the transaction was sent; the dApp got `result` */
  | { readonly status: 'executed'; readonly result: unknown }
  /** the user rejected it; the dApp got 4001 */
  | { readonly status: 'rejected' }
  /** carrying it out failed (`error`, with the cause); the dApp got its code and a safe message */
  | { readonly status: 'failed'; readonly error: PairlineError<ErrorCode | number> }
  /** it expired before it was approved (REQUEST_EXPIRED): not carried out; the dApp got 8000 */
  | { readonly status: 'expired'; readonly error: PairlineError<ErrorCode | number> }
  /** the session ended first (DISCONNECTED or SESSION_EXPIRED): not carried out */
  | { readonly status: 'ended'; readonly error: PairlineError<ErrorCode | number> }

/** A request from the dApp, shown to the user, who approves (the account signs) or rejects it. */
export type WalletRequest = {
  /** 16 random bytes, base64url: never repeats in a session */
  readonly id: string
  readonly method: string
  /**
   * What to show, decoded and checked by the SDK (docs/PROTOCOL.md §14.6): exactly what
   * `approve()` signs or does. Render from this, never from `params`.
   */
  readonly view: RequestView
  /** the JSON-RPC params as the dApp sent them (for logs; `view` is what is signed) */
  readonly params: unknown
  /** CAIP-2 chain the dApp addressed */
  readonly chainId: string
  /** unix seconds; after it the request is answered "expired" and cannot be approved */
  readonly expiresAt: number
  /** The dApp's self-declared metadata (unverified). */
  readonly peer: Metadata
  /**
   * Carries it out with the wallet's account and answers the dApp. Recorded before it starts, so
   * it is never carried out twice (also after a crash). Idempotent: every later call, and
   * `reject()` after it, resolves with the first call's outcome.
   */
  approve(): Promise<RequestOutcome>
  /** Answers the dApp with 4001 (user rejected), unless already decided: then the first outcome. */
  reject(message?: string): Promise<RequestOutcome>
}

/** A request the wallet had begun to carry out when it stopped: the dApp was told 8001 (unknown). */
export type UnresolvedRequest = {
  readonly id: string
  readonly method: string
  readonly params: unknown
  readonly chainId: string
  readonly peer: Metadata
}

export type WalletSessionEvents = {
  request: [WalletRequest]
  /** after a restart: a request that may or may not have been carried out (tell the user) */
  outcomeUnknown: [UnresolvedRequest]
  disconnect: [{ code: number; message: string }]
  error: [PairlineError]
}

/** The wallet's side of a live session. */
export interface WalletSession extends SessionInfo<WalletSessionEvents> {
  /** Requests waiting for the user. */
  readonly pendingRequests: readonly WalletRequest[]
  /** Changes the current chain (CAIP-2 or a number) and tells the dApp (`chainChanged`). */
  switchChain(chainId: number | string): Promise<void>
  /** Shares other accounts (each among the wallet's; UNAUTHORIZED otherwise) and tells the dApp. */
  setAccounts(addresses: readonly `0x${string}`[]): Promise<void>
  /** Extends the session by `seconds` from now (both sides enforce the new expiry). */
  extend(seconds: number): Promise<void>
  ping(): Promise<void>
}
