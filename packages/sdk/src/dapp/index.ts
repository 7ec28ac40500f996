/**
 * `@pairline/sdk/dapp`: the dApp side. Nothing here imports viem: an ethers-only or plain-JS dApp
 * installs `@pairline/sdk` alone.
 */
export { createDapp, type Dapp, type DappOptions, type Pairing } from './createDapp.js'
export {
  type Eip1193Provider,
  type ProviderEvent,
  type ProviderEventMap,
  READ_ONLY_METHODS,
  type RequestArguments,
  WALLET_METHODS,
} from './provider.js'
export { DappSession, type DappSessionEvents } from './session.js'
