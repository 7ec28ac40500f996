import { getAddress, isAddress } from 'viem'
import { unapproved } from './refuse.js'

type Address = `0x${string}`

/** What a request is checked against: the session as it is when the request arrives. */
export type ViewScope = {
  /** the session's approved accounts, in order */
  readonly accounts: readonly Address[]
  /** the request's chain, CAIP-2 (the session's current chain, §14.6) */
  readonly chainId: string
  /** the session's approved chains, CAIP-2 */
  readonly chains: readonly string[]
}

/** The approved account `address` names, in the session's spelling; 4100 for any other. */
export function approvedAccount(scope: ViewScope, address: unknown): Address {
  if (typeof address !== 'string' || !isAddress(address, { strict: false })) throw unapproved()
  const found = scope.accounts.find((a) => getAddress(a) === getAddress(address))
  if (!found) throw unapproved()
  return found
}
