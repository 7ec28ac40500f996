import { ProviderRpcError, RpcCode } from '../../errors/provider.js'

/** -32602: the request's parameters are malformed; refused before the user sees anything. */
export const invalid = (message: string) => new ProviderRpcError(RpcCode.InvalidParams, message)

/** 4100: the request names an account the session did not approve. */
export const unapproved = () =>
  new ProviderRpcError(RpcCode.Unauthorized, 'The request names an account this wallet did not approve.')

/** The first element of an array of params. */
export const first = (params: unknown): unknown => (Array.isArray(params) ? params[0] : undefined)
