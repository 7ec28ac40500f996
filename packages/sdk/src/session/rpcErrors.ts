/**
 * EIP-1193 / EIP-1474 provider errors. `code` is numeric as those EIPs define; `pairlineCode` names
 * the SDK's stable code when there is one.
 */
export const RpcCode = {
  UserRejected: 4001,
  Unauthorized: 4100,
  UnsupportedMethod: 4200,
  Disconnected: 4900,
  ChainDisconnected: 4901,
  UnrecognizedChain: 4902,
  InvalidParams: -32602,
  Internal: -32603,
  /** Same value as WalletConnect's "request expired", for familiarity. */
  RequestExpired: 8000,
} as const

export class ProviderRpcError extends Error {
  override name = 'ProviderRpcError'
  readonly code: number
  readonly data: unknown
  constructor(code: number, message: string, data?: unknown) {
    super(message)
    this.code = code
    this.data = data
  }
}
