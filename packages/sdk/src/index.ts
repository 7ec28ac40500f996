/**
 * `@pairline/sdk`: the dApp side, errors and storage. Nothing reachable from here imports viem
 * (held by index.test.ts); the wallet side is `@pairline/sdk/wallet`.
 */
export * from './dapp/index.js'
export {
  ErrorCode,
  isPairlineError,
  PairlineError,
  type PairlineErrorOptions,
  ProviderRpcError,
  type ProviderRpcErrorOptions,
  RpcCode,
} from './errors/index.js'
export { type DeviceKey, memoryDeviceKey } from './keys/device.js'
export type { Metadata, Namespace, Namespaces } from './protocol/payloads.js'
export {
  browserStorage,
  defaultStorage,
  memoryStorage,
  type SealingKeySource,
  type Storage,
  sealedStorage,
} from './storage/index.js'
export type {
  ReconnectingEvent,
  ReconnectOptions,
  RelayClient,
  RelayClientEvents,
  RelayMessage,
} from './transport/index.js'
export type { Timers } from './util/timers.js'
