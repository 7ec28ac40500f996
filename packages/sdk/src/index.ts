export { createDapp, type Dapp, type DappOptions, type Pairing } from './dapp/createDapp.js'
export {
  type Eip1193Provider,
  type ProviderEvent,
  READ_ONLY_METHODS,
  WALLET_METHODS,
} from './dapp/provider.js'
export { DappSession, type DappSessionEvents } from './dapp/session.js'
export { ErrorCode, isPairlineError, PairlineError, type PairlineErrorOptions } from './errors/index.js'
export type { Metadata, Namespace, Namespaces } from './protocol/payloads.js'
export { ProviderRpcError, RpcCode } from './session/rpcErrors.js'
export {
  browserStorage,
  defaultStorage,
  memoryStorage,
  type SealingKeySource,
  type Storage,
  sealedStorage,
} from './storage/index.js'
export type { ReconnectingEvent, RelayClient, RelayClientEvents, RelayMessage } from './transport/index.js'
export { createWallet, type Wallet, type WalletOptions, type WalletProposal } from './wallet/createWallet.js'
export { type WalletRequest, WalletSession, type WalletSessionEvents } from './wallet/session.js'
