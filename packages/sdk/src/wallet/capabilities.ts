import { toHex } from 'viem'
import { chainNumber } from '../messages/caip.js'
import { first, invalid } from './view/refuse.js'
import { approvedAccount, type ViewScope } from './view/scope.js'

/**
 * EIP-5792 `wallet_getCapabilities` `[address?, chainIds?]`, answered without the user: per
 * approved chain the wallet can send on, `atomic: unsupported` (a plain account sends calls one
 * by one). Nothing else is claimed.
 */
export function capabilities(params: unknown, scope: ViewScope, sendable: readonly string[]): object {
  const p = Array.isArray(params) ? params : []
  if (p[0] !== undefined) approvedAccount(scope, first(params))
  const asked = p[1]
  if (
    asked !== undefined &&
    (!Array.isArray(asked) || asked.some((c) => typeof c !== 'string' || !/^0x[0-9a-fA-F]{1,16}$/.test(c)))
  )
    throw invalid('wallet_getCapabilities needs [address, chainIds?].')
  const chains = scope.chains.filter((c) => sendable.includes(c)).map((c) => toHex(chainNumber(c)))
  const shown = asked
    ? chains.filter((c) => (asked as string[]).some((a) => BigInt(a) === BigInt(c)))
    : chains
  return Object.fromEntries(shown.map((c) => [c, { atomic: { status: 'unsupported' } }]))
}
