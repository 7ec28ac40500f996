/**
 * `@pairline/sdk/dapp`: the dApp side. Nothing here imports viem: an ethers-only or plain-JS dApp
 * installs `@pairline/sdk` alone.
 */
export type { RelayOptions } from '../core/options.js'
export { createDapp } from './createDapp.js'
export type { Eip1193Provider, ProviderEvent, ProviderEventMap, RequestArguments } from './eip1193.js'
export { READ_ONLY_METHODS, WALLET_METHODS } from './methods.js'
export type { SignIn, SignInCheck, SignInOptions, SignInVerifier } from './signIn.js'
export type {
  Dapp,
  DappOptions,
  DappPairingState,
  DappSession,
  DappSessionEvents,
  Pairing,
  PairOptions,
} from './types.js'
