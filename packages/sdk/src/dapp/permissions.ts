import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import type { DappSession } from './types.js'

type ProviderSource = Pick<DappSession, 'accounts' | 'disconnect'>

/** One EIP-2255 permission, as `wallet_getPermissions` returns it (viem's `WalletPermission`). */
export type Permission = {
  parentCapability: 'eth_accounts'
  invoker: string
  caveats: { type: 'restrictReturnedAccounts'; value: `0x${string}`[] }[]
}

export const PERMISSION_METHODS: readonly string[] = Object.freeze([
  'wallet_requestPermissions',
  'wallet_getPermissions',
  'wallet_revokePermissions',
])

const needsAccounts = (method: string) =>
  new ProviderRpcError(RpcCode.InvalidParams, `${method} needs [{ eth_accounts: {} }].`)

/**
 * EIP-2255 on a Pairline session (docs/PROTOCOL.md §14.2), answered by the dApp's provider: the
 * session is the permission. Its one permission is `eth_accounts` (the approved accounts), granted
 * when the wallet's user approved the session; revoking it ends the session on both sides, as
 * wagmi's `disconnect()` expects. Any other permission is 4200: Pairline has nothing else to grant.
 */
export async function answerPermissions(
  session: ProviderSource,
  invoker: string,
  method: string,
  params: unknown,
): Promise<Permission[] | null> {
  const current = (): Permission[] => [
    {
      parentCapability: 'eth_accounts',
      invoker,
      caveats: [{ type: 'restrictReturnedAccounts', value: [...session.accounts] }],
    },
  ]
  if (method === 'wallet_getPermissions') return current()
  const asked = Array.isArray(params) ? params[0] : undefined
  if (typeof asked !== 'object' || asked === null || Array.isArray(asked)) throw needsAccounts(method)
  const names = Object.keys(asked)
  const other = names.find((n) => n !== 'eth_accounts')
  if (other !== undefined)
    throw new ProviderRpcError(RpcCode.UnsupportedMethod, `The wallet cannot grant the permission ${other}.`)
  if (names.length === 0) throw needsAccounts(method)
  if (method === 'wallet_requestPermissions') return current()
  await session.disconnect('The dApp revoked its permissions (wallet_revokePermissions).')
  return null
}
