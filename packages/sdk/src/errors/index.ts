export { PairlineError, type PairlineErrorOptions } from './base.js'
export { ErrorCode } from './codes.js'
export { isPairlineError } from './is.js'
export { ProviderRpcError, type ProviderRpcErrorOptions, RpcCode } from './provider.js'
