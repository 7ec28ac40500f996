/** `@pairline/sdk/wallet`: the wallet side. Signs with the wallet's viem `Account`s (viem is a peer). */
export type { RelayOptions } from '../core/options.js'
export { pairingUriFromLink, redirectTarget } from '../protocol/links.js'
export type { SignInRequest } from '../protocol/signIn.js'
export type { Timers } from '../util/timers.js'
export { createWallet } from './createWallet.js'
export type { WalletSignIn } from './signIn.js'
export type {
  ApproveOptions,
  RequestOutcome,
  UnresolvedRequest,
  Wallet,
  WalletOptions,
  WalletPairingState,
  WalletProposal,
  WalletRequest,
  WalletSession,
  WalletSessionEvents,
} from './types.js'
export type {
  AddChainView,
  MessageView,
  RequestView,
  SwitchChainView,
  TransactionView,
  TypedDataField,
  TypedDataView,
} from './view/types.js'
