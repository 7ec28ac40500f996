import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import type { RpcErrorBody } from '../messages/bodies.js'

/**
 * What the dApp is told when carrying out a request failed: a code and a fixed sentence. Never the
 * text of the wallet's own errors (viem's messages name RPC URLs, nodes and internals); the wallet
 * app gets the whole error, with its cause, in the request's outcome.
 */
const SAFE: Readonly<Record<number, string>> = {
  4001: 'The user rejected the request.',
  4100: 'The wallet is not authorized to do this.',
  4200: 'The wallet does not support this request.',
  4900: 'The wallet is disconnected.',
  4901: 'The wallet cannot reach the chain.',
  [-32000]: 'The chain refused the transaction (invalid input).',
  [-32003]: 'The chain refused the transaction.',
  [-32602]: 'The request parameters are invalid.',
  [-32603]: 'The wallet could not carry out the request.',
}

export const expiredAnswer: RpcErrorBody = { code: RpcCode.RequestExpired, message: 'The request expired.' }

export const unknownAnswer: RpcErrorBody = {
  code: RpcCode.OutcomeUnknown,
  message: 'The wallet stopped while carrying out the request: it may or may not have been done.',
}

/** The failure as the wallet app sees it: a PairlineError (ours as is; any other wrapped, as cause). */
export function asPairlineError(err: unknown): PairlineError<ErrorCode | number> {
  if (err instanceof PairlineError) return err
  const { code } = answerError(err)
  return new ProviderRpcError(code, SAFE[code] ?? (SAFE[RpcCode.Internal] as string), { cause: err })
}

/** The failure as the dApp is told it. */
export function answerError(err: unknown): RpcErrorBody {
  // Our own provider errors are written for the dApp (no internals in them).
  if (err instanceof ProviderRpcError) return { code: err.code, message: err.shortMessage }
  if (err instanceof PairlineError)
    return err.code === ErrorCode.StorageFailed
      ? { code: RpcCode.Internal, message: 'The wallet could not record the request, so it was not done.' }
      : { code: RpcCode.Internal, message: SAFE[RpcCode.Internal] as string }
  const code = knownCode(err)
  return { code, message: SAFE[code] as string }
}

/** The first EIP-1193/1474 code in the cause chain that we have a sentence for (-32603 otherwise). */
function knownCode(err: unknown): number {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown }
    if (typeof code === 'number' && code in SAFE) return code
    if (name === 'HttpRequestError' || name === 'TimeoutError' || name === 'WebSocketRequestError')
      return RpcCode.ChainDisconnected
  }
  return RpcCode.Internal
}
