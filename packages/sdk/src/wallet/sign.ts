import { type Account, createWalletClient, type Hex, isAddressEqual, isHex, type Transport } from 'viem'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'

type RpcTx = {
  from?: Hex
  to?: Hex | null
  value?: Hex
  data?: Hex
  input?: Hex
  gas?: Hex
  gasPrice?: Hex
  maxFeePerGas?: Hex
  maxPriorityFeePerGas?: Hex
  nonce?: Hex
}

const bad = (message: string) => new ProviderRpcError(RpcCode.InvalidParams, message)
const hexOr = (v: unknown, name: string): Hex | undefined => {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string' || !isHex(v)) throw bad(`${name} must be a hex string`)
  return v
}

/** EIP-1474 quantity: "0x" and 1 to 64 hex digits (at most 256 bits). viem's own errors are not ours. */
const QUANTITY = /^0x[0-9a-fA-F]{1,64}$/
const quantity = (v: unknown, name: string): bigint | undefined => {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string' || !QUANTITY.test(v)) throw bad(`${name} must be a hex quantity`)
  return BigInt(v)
}

/** JSON-RPC transaction (hex quantities) to viem's shape. */
export function fromRpcTransaction(tx: unknown) {
  if (typeof tx !== 'object' || tx === null) throw bad('the transaction must be an object')
  const t = tx as RpcTx
  const value = quantity(t.value, 'value')
  const gas = quantity(t.gas, 'gas')
  const gasPrice = quantity(t.gasPrice, 'gasPrice')
  const maxFeePerGas = quantity(t.maxFeePerGas, 'maxFeePerGas')
  const maxPriorityFeePerGas = quantity(t.maxPriorityFeePerGas, 'maxPriorityFeePerGas')
  const nonce = quantity(t.nonce, 'nonce')
  if (nonce !== undefined && nonce > BigInt(Number.MAX_SAFE_INTEGER)) throw bad('nonce is out of range')
  const data = hexOr(t.data ?? t.input, 'data')
  const to = hexOr(t.to, 'to')
  return {
    ...(t.from ? { from: hexOr(t.from, 'from') } : {}),
    ...(to ? { to } : {}),
    ...(data ? { data } : {}),
    ...(value ? { value } : {}),
    ...(gas ? { gas } : {}),
    ...(maxFeePerGas ? { maxFeePerGas } : {}),
    ...(maxPriorityFeePerGas ? { maxPriorityFeePerGas } : {}),
    ...(gasPrice && !maxFeePerGas ? { gasPrice } : {}),
    ...(nonce ? { nonce: Number(nonce) } : {}),
  }
}

export type SignContext = {
  /** The accounts shared in this session; the first signs a transaction without `from`. */
  accounts: readonly Account[]
  transport: Transport | undefined
  chainNumber: number
  /**
   * Called with a signed transaction before it is broadcast: the wallet records its hash first, so
   * after a crash it can look the transaction up instead of sending another (§14.5).
   */
  beforeBroadcast?: (serializedTransaction: Hex) => Promise<void>
}

/** The session account a request names; 4100 for any other address. */
function accountFor(ctx: SignContext, address: unknown): Account {
  const account =
    typeof address === 'string' && isHex(address)
      ? ctx.accounts.find((a) => isAddressEqual(a.address, address))
      : undefined
  if (!account)
    throw new ProviderRpcError(
      RpcCode.Unauthorized,
      'The request names an account this wallet did not approve.',
    )
  return account
}

/**
 * Carries out an approved request with the wallet's viem account. The account signs; its key never
 * passes through Pairline (a `toAccount` signer or a hardware wallet works the same).
 */
export async function execute(method: string, params: unknown, ctx: SignContext): Promise<unknown> {
  const p = Array.isArray(params) ? params : []
  switch (method) {
    case 'personal_sign': {
      const [data, address] = p
      const account = accountFor(ctx, address)
      if (typeof data !== 'string') throw bad('personal_sign needs [message, address]')
      if (!account.signMessage)
        throw new ProviderRpcError(RpcCode.UnsupportedMethod, 'This account cannot sign messages.')
      return account.signMessage({ message: isHex(data) ? { raw: data } : data })
    }
    case 'eth_signTypedData_v4': {
      const [address, typed] = p
      const account = accountFor(ctx, address)
      let td: unknown
      try {
        td = typeof typed === 'string' ? JSON.parse(typed) : typed
      } catch {
        throw bad('eth_signTypedData_v4 needs typed data as JSON')
      }
      if (!account.signTypedData)
        throw new ProviderRpcError(RpcCode.UnsupportedMethod, 'This account cannot sign typed data.')
      const { domain, types, primaryType, message } = (td ?? {}) as Record<string, unknown>
      const { EIP712Domain: _, ...rest } = (types ?? {}) as Record<string, unknown>
      return account.signTypedData({ domain, types: rest, primaryType, message } as never)
    }
    case 'eth_sendTransaction':
    case 'eth_signTransaction': {
      const tx = fromRpcTransaction(p[0])
      const account = accountFor(ctx, tx.from ?? ctx.accounts[0]?.address)
      if (!ctx.transport) {
        throw new ProviderRpcError(
          RpcCode.ChainDisconnected,
          `This wallet has no RPC transport for chain ${ctx.chainNumber}.`,
        )
      }
      const client = createWalletClient({ account, transport: ctx.transport })
      const { from: _, ...request } = tx
      const prepared = await client.prepareTransactionRequest({ ...request, account, chain: null } as never)
      if (!account.signTransaction)
        throw new ProviderRpcError(RpcCode.UnsupportedMethod, 'This account cannot sign transactions.')
      const serializedTransaction = await account.signTransaction({
        ...(prepared as object),
        chainId: ctx.chainNumber,
      } as never)
      if (method === 'eth_signTransaction') return serializedTransaction
      await ctx.beforeBroadcast?.(serializedTransaction)
      return client.sendRawTransaction({ serializedTransaction })
    }
    default:
      throw new ProviderRpcError(RpcCode.UnsupportedMethod, `The wallet does not support ${method}.`)
  }
}
