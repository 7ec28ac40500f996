import { ProviderRpcError, RpcCode } from '../../errors/provider.js'
import { first, invalid } from './refuse.js'
import type { ViewScope } from './scope.js'
import type { AddChainView, SwitchChainView } from './types.js'

const HEX_CHAIN = /^0x[0-9a-fA-F]{1,16}$/

/** The approved CAIP-2 chain that `{ chainId: "0x…" }` names; 4902 for one the session lacks. */
function approvedChain(p: unknown, method: string, scope: ViewScope): string {
  const chainId = (p as { chainId?: unknown } | undefined)?.chainId
  if (typeof chainId !== 'string' || !HEX_CHAIN.test(chainId))
    throw invalid(`${method} needs [{ chainId: "0x…" }].`)
  const target = `eip155:${Number.parseInt(chainId, 16)}`
  if (!scope.chains.includes(target))
    throw new ProviderRpcError(RpcCode.UnrecognizedChain, `${target} is not approved for this session.`)
  return target
}

const strings = (v: unknown, name: string): string[] => {
  if (v === undefined) return []
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
    throw invalid(`${name} must be a list of URLs.`)
  return v as string[]
}

export function switchChainView(params: unknown, scope: ViewScope): SwitchChainView {
  return { kind: 'switchChain', chainId: approvedChain(first(params), 'wallet_switchEthereumChain', scope) }
}

/** EIP-3085 `[{ chainId, chainName?, rpcUrls?, nativeCurrency?, blockExplorerUrls? }]`. */
export function addChainView(params: unknown, scope: ViewScope): AddChainView {
  const p = first(params) as Record<string, unknown> | undefined
  const chainId = approvedChain(p, 'wallet_addEthereumChain', scope)
  const c = p as Record<string, unknown>
  const n = c.nativeCurrency as Record<string, unknown> | undefined
  if (
    n !== undefined &&
    (typeof n?.name !== 'string' || typeof n.symbol !== 'string' || !Number.isInteger(n.decimals))
  )
    throw invalid('nativeCurrency must be { name, symbol, decimals }.')
  return {
    kind: 'addChain',
    chainId,
    ...(typeof c.chainName === 'string' ? { chainName: c.chainName } : {}),
    rpcUrls: strings(c.rpcUrls, 'rpcUrls'),
    blockExplorerUrls: strings(c.blockExplorerUrls, 'blockExplorerUrls'),
    ...(n
      ? {
          nativeCurrency: {
            name: n.name as string,
            symbol: n.symbol as string,
            decimals: n.decimals as number,
          },
        }
      : {}),
  }
}
