import { getAddress, isAddress } from 'viem'
import { invalid } from './refuse.js'
import type { WatchAssetView } from './types.js'

const obj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * EIP-747 `{ type: 'ERC20', options: { address, symbol, decimals, image? } }` (viem sends the
 * object itself; some dApps wrap it in an array). What the dApp claims: the token is not looked up.
 */
export function watchAssetView(params: unknown): WatchAssetView {
  const p = Array.isArray(params) ? params[0] : params
  if (!obj(p) || !obj(p.options)) throw invalid('wallet_watchAsset needs { type, options }.')
  if (p.type !== 'ERC20') throw invalid('wallet_watchAsset supports type ERC20 only.')
  const { address, symbol, decimals, image } = p.options
  if (typeof address !== 'string' || !isAddress(address, { strict: false }))
    throw invalid('options.address must be an address.')
  if (typeof symbol !== 'string' || symbol.length < 1 || symbol.length > 11)
    throw invalid('options.symbol must be 1 to 11 characters.')
  if (!Number.isInteger(decimals) || (decimals as number) < 0 || (decimals as number) > 36)
    throw invalid('options.decimals must be a whole number from 0 to 36.')
  if (image !== undefined && typeof image !== 'string') throw invalid('options.image must be a URL.')
  return {
    kind: 'watchAsset',
    type: 'ERC20',
    address: getAddress(address),
    symbol,
    decimals: decimals as number,
    ...(image !== undefined ? { image } : {}),
  }
}
