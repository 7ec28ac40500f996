import { getAddress, type Hex, isAddress, isHex } from 'viem'
import { chainNumber } from '../../messages/caip.js'
import { first, invalid } from './refuse.js'
import { approvedAccount, type ViewScope } from './scope.js'
import type { TransactionView } from './types.js'

/** EIP-1474 quantity: "0x" and 1 to 64 hex digits (at most 256 bits). */
const QUANTITY = /^0x[0-9a-fA-F]{1,64}$/

export function quantity(v: unknown, name: string): bigint | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string' || !QUANTITY.test(v)) throw invalid(`${name} must be a hex quantity.`)
  return BigInt(v)
}

export function bytes(v: unknown, name: string): Hex | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string' || !isHex(v) || v.length % 2 !== 0) throw invalid(`${name} must be hex bytes.`)
  return v.toLowerCase() as Hex
}

/** `data` and `input` name the same field (EIP-1474 says `input`, most dApps send `data`): one value. */
function calldata(tx: Record<string, unknown>): Hex {
  const data = bytes(tx.data, 'data')
  const input = bytes(tx.input, 'input')
  if (data !== undefined && input !== undefined && data !== input)
    throw invalid('The transaction has both data and input, and they differ.')
  return data ?? input ?? '0x'
}

export function recipient(v: unknown): `0x${string}` | null {
  if (v === undefined || v === null) return null
  if (typeof v !== 'string' || !isAddress(v, { strict: false })) throw invalid('to must be an address.')
  return getAddress(v)
}

/**
 * eth_sendTransaction / eth_signTransaction `[tx]` (JSON-RPC, hex quantities). `from` must be an
 * approved account (the first one when absent); a `chainId` in the transaction must be the
 * request's chain, which is what is signed for (§14.6).
 */
export function transactionView(
  method: TransactionView['method'],
  params: unknown,
  scope: ViewScope,
): TransactionView {
  const tx = first(params)
  if (typeof tx !== 'object' || tx === null || Array.isArray(tx))
    throw invalid(`${method} needs [transaction].`)
  const t = tx as Record<string, unknown>
  const chainId = chainNumber(scope.chainId)
  const named = quantity(t.chainId, 'chainId')
  if (named !== undefined && named !== BigInt(chainId))
    throw invalid(`The transaction is for chain ${named}; this request is for chain ${chainId}.`)
  const account = approvedAccount(scope, t.from ?? scope.accounts[0])
  const to = recipient(t.to)
  const data = calldata(t)
  if (to === null && data === '0x')
    throw invalid('A transaction without `to` creates a contract, and needs data.')
  const nonce = quantity(t.nonce, 'nonce')
  if (nonce !== undefined && nonce > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid('nonce is out of range.')
  const fees = {
    gas: quantity(t.gas, 'gas'),
    gasPrice: quantity(t.gasPrice, 'gasPrice'),
    maxFeePerGas: quantity(t.maxFeePerGas, 'maxFeePerGas'),
    maxPriorityFeePerGas: quantity(t.maxPriorityFeePerGas, 'maxPriorityFeePerGas'),
  }
  if (fees.gasPrice !== undefined && (fees.maxFeePerGas ?? fees.maxPriorityFeePerGas) !== undefined)
    throw invalid('A transaction has gasPrice or EIP-1559 fees, not both.')
  const given = Object.fromEntries(Object.entries(fees).filter(([, v]) => v !== undefined))
  return {
    kind: 'transaction',
    method,
    account,
    chainId,
    to,
    contractCreation: to === null,
    value: quantity(t.value, 'value') ?? 0n,
    data,
    ...given,
    ...(nonce !== undefined ? { nonce: Number(nonce) } : {}),
  }
}
