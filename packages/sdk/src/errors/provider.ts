import { PairlineError, type PairlineErrorOptions } from './base.js'
import { ErrorCode } from './codes.js'

/** EIP-1193 / EIP-1474 provider error numbers (docs/PROTOCOL.md §14.3). */
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
  /** Delivered to the wallet, but whether it was carried out is unknown (docs/PROTOCOL.md §14.5). */
  OutcomeUnknown: 8001,
  /** EIP-5792: a capability the dApp requires is not supported */
  UnsupportedCapability: 5700,
  /** EIP-5792: the calls are for a chain the wallet cannot send on (here: not the request's chain) */
  UnsupportedChainId: 5710,
  /** EIP-5792: a batch with that id was already sent */
  DuplicateCallsId: 5720,
  /** EIP-5792: no batch with that id */
  UnknownCallsId: 5730,
  /** EIP-5792: too many calls */
  CallsTooLarge: 5740,
  /** EIP-5792: atomic execution required and not supported */
  AtomicityUnsupported: 5760,
} as const
export type RpcCode = (typeof RpcCode)[keyof typeof RpcCode]

/** The SDK code of each provider number; any other number (an RPC node's own) is RPC_ERROR. */
const PAIRLINE_CODE: Readonly<Record<number, ErrorCode>> = {
  [RpcCode.UserRejected]: ErrorCode.UserRejected,
  [RpcCode.Unauthorized]: ErrorCode.Unauthorized,
  [RpcCode.UnsupportedMethod]: ErrorCode.UnsupportedMethod,
  [RpcCode.Disconnected]: ErrorCode.Disconnected,
  [RpcCode.ChainDisconnected]: ErrorCode.Disconnected,
  [RpcCode.UnrecognizedChain]: ErrorCode.Unauthorized,
  [RpcCode.InvalidParams]: ErrorCode.InvalidParams,
  [RpcCode.Internal]: ErrorCode.InternalError,
  [RpcCode.RequestExpired]: ErrorCode.RequestExpired,
  [RpcCode.OutcomeUnknown]: ErrorCode.RequestOutcomeUnknown,
  [RpcCode.UnsupportedCapability]: ErrorCode.UnsupportedMethod,
  [RpcCode.UnsupportedChainId]: ErrorCode.Unauthorized,
  [RpcCode.DuplicateCallsId]: ErrorCode.InvalidParams,
  [RpcCode.UnknownCallsId]: ErrorCode.InvalidParams,
  [RpcCode.CallsTooLarge]: ErrorCode.UnsupportedMethod,
  [RpcCode.AtomicityUnsupported]: ErrorCode.UnsupportedMethod,
}

export type ProviderRpcErrorOptions = PairlineErrorOptions & {
  /** JSON-RPC `data`, passed through unchanged. */
  data?: unknown
  /** Overrides the SDK code derived from the number (e.g. SESSION_EXPIRED for a 4900). */
  pairlineCode?: ErrorCode
}

/**
 * An EIP-1193 provider error: a PairlineError whose `code` is the EIP-1193/1474 number that
 * viem, ethers and wagmi read, with `pairlineCode` naming the SDK's stable code for the same failure.
 */
export class ProviderRpcError extends PairlineError<number> {
  override name = 'ProviderRpcError'
  /** Always a string, as EIP-1193 consumers (viem) expect: empty when there are no details. */
  override readonly details: string
  readonly pairlineCode: ErrorCode
  readonly data: unknown

  constructor(code: number, shortMessage: string, options: ProviderRpcErrorOptions = {}) {
    super(code, shortMessage, options)
    this.details = options.details ?? ''
    this.pairlineCode = options.pairlineCode ?? PAIRLINE_CODE[code] ?? ErrorCode.RpcError
    this.data = options.data
  }
}
