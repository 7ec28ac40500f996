import type { Hex } from 'viem'
import { ProviderRpcError, RpcCode } from '../../errors/provider.js'
import { chainNumber } from '../../messages/caip.js'
import { first, invalid } from './refuse.js'
import { approvedAccount, type ViewScope } from './scope.js'
import { bytes, quantity, recipient } from './transaction.js'
import type { CallsStatusView, CallsView } from './types.js'

export const MAX_CALLS = 16
const obj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** A capability the dApp requires (not `optional: true`): this wallet supports none (5700). */
function refuseRequired(capabilities: unknown, where: string): void {
  if (capabilities === undefined || capabilities === null) return
  if (!obj(capabilities)) throw invalid(`${where} must be an object.`)
  for (const [name, c] of Object.entries(capabilities))
    if (!obj(c) || c.optional !== true)
      throw new ProviderRpcError(
        RpcCode.UnsupportedCapability,
        `The wallet does not support the capability ${name}.`,
      )
}

/**
 * EIP-5792 `wallet_sendCalls` `[{ version, id?, from?, chainId, atomicRequired, calls, capabilities? }]`.
 * A plain account sends the calls one by one, so `atomicRequired: true` is refused (5760); the
 * chain is the request's chain; `from` an approved account.
 */
export function callsView(params: unknown, scope: ViewScope): CallsView {
  const p = first(params)
  if (!obj(p) || !Array.isArray(p.calls)) throw invalid('wallet_sendCalls needs [{ chainId, calls, … }].')
  if (p.version !== '2.0.0' && p.version !== '1.0') throw invalid('wallet_sendCalls version must be 2.0.0.')
  const chainId = chainNumber(scope.chainId)
  const named = quantity(p.chainId, 'chainId')
  if (named === undefined) throw invalid('wallet_sendCalls needs chainId.')
  if (named !== BigInt(chainId))
    throw new ProviderRpcError(
      RpcCode.UnsupportedChainId,
      `The calls are for chain ${named}; this request is for chain ${chainId}.`,
    )
  if (p.atomicRequired === true)
    throw new ProviderRpcError(
      RpcCode.AtomicityUnsupported,
      'The wallet cannot send calls atomically: its account sends them one by one.',
    )
  if (p.calls.length === 0) throw invalid('wallet_sendCalls needs at least one call.')
  if (p.calls.length > MAX_CALLS)
    throw new ProviderRpcError(RpcCode.CallsTooLarge, `The wallet sends at most ${MAX_CALLS} calls at once.`)
  refuseRequired(p.capabilities, 'capabilities')
  const account = approvedAccount(scope, p.from ?? scope.accounts[0])
  const calls = p.calls.map((c, i) => {
    if (!obj(c)) throw invalid(`calls[${i}] must be an object.`)
    refuseRequired(c.capabilities, `calls[${i}].capabilities`)
    const to = recipient(c.to)
    const data: Hex = bytes(c.data, `calls[${i}].data`) ?? '0x'
    if (to === null && data === '0x') throw invalid(`calls[${i}] has neither to nor data.`)
    return { to, value: quantity(c.value, `calls[${i}].value`) ?? 0n, data, contractCreation: to === null }
  })
  if (p.id !== undefined && (typeof p.id !== 'string' || p.id.length === 0 || p.id.length > 4096))
    throw invalid('id must be a string of 1 to 4096 characters.')
  return {
    kind: 'calls',
    method: 'wallet_sendCalls',
    account,
    chainId,
    calls,
    ...(typeof p.id === 'string' ? { id: p.id } : {}),
  }
}

/** `wallet_showCallsStatus` / `wallet_getCallsStatus` `[id]`: the id of a batch this wallet sent. */
export function callsIdOf(method: string, params: unknown): string {
  const id = first(params)
  if (typeof id !== 'string' || id.length === 0 || id.length > 4096) throw invalid(`${method} needs [id].`)
  return id
}

export function callsStatusView(params: unknown): CallsStatusView {
  return { kind: 'callsStatus', id: callsIdOf('wallet_showCallsStatus', params) }
}
