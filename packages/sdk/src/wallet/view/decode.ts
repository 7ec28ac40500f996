import { ProviderRpcError, RpcCode } from '../../errors/provider.js'
import { watchAssetView } from './asset.js'
import { callsStatusView, callsView } from './calls.js'
import { addChainView, switchChainView } from './chain.js'
import { messageView } from './message.js'
import type { ViewScope } from './scope.js'
import { transactionView } from './transaction.js'
import { typedDataView } from './typedData.js'
import type { RequestView } from './types.js'

/**
 * The view of a request (docs/PROTOCOL.md §14.6), or the ProviderRpcError it is refused with
 * before anyone sees it: -32602 malformed, 4100 an unapproved account, 4902 an unapproved chain,
 * 4200 a method the SDK has no view for.
 */
export function decodeRequest(method: string, params: unknown, scope: ViewScope): RequestView {
  switch (method) {
    case 'personal_sign':
    case 'eth_sign':
      return messageView(method, params, scope)
    case 'eth_signTypedData_v4':
    case 'eth_signTypedData_v3':
      return typedDataView(method, params, scope)
    case 'eth_sendTransaction':
    case 'eth_signTransaction':
      return transactionView(method, params, scope)
    case 'wallet_switchEthereumChain':
      return switchChainView(params, scope)
    case 'wallet_addEthereumChain':
      return addChainView(params, scope)
    case 'wallet_watchAsset':
      return watchAssetView(params)
    case 'wallet_sendCalls':
      return callsView(params, scope)
    case 'wallet_showCallsStatus':
      return callsStatusView(params)
    default:
      throw new ProviderRpcError(RpcCode.UnsupportedMethod, `The wallet does not support ${method}.`)
  }
}
