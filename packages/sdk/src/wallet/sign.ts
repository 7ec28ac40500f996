import { type Account, createWalletClient, type Hex, isAddressEqual, type Transport } from 'viem'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import { unapproved } from './view/refuse.js'
import type { MessageView, TransactionView, TypedDataView } from './view/types.js'

export type SignContext = {
  /** The accounts shared in this session (the view's account must still be one of them). */
  accounts: readonly Account[]
  transport: Transport | undefined
  /**
   * Called with a signed transaction before it is broadcast: the wallet records its hash first, so
   * after a crash it can look the transaction up instead of sending another (§14.5).
   */
  beforeBroadcast?: (serializedTransaction: Hex) => Promise<void>
}

/** The session account that signs the view (the user may have changed accounts since it was shown). */
function accountFor(ctx: SignContext, address: `0x${string}`): Account {
  const account = ctx.accounts.find((a) => isAddressEqual(a.address, address))
  if (!account) throw unapproved()
  return account
}

const cannot = (what: string) =>
  new ProviderRpcError(RpcCode.UnsupportedMethod, `This account cannot sign ${what}.`)

/**
 * Signs what the view shows, and nothing else (docs/PROTOCOL.md §14.6): the message's bytes, the
 * typed data as decoded, the transaction's fields. The account signs; its key never passes
 * through Pairline (a `toAccount` signer or a hardware wallet works the same).
 */
export async function signView(view: MessageView | TypedDataView, ctx: SignContext): Promise<Hex> {
  const account = accountFor(ctx, view.account)
  if (view.kind === 'message') {
    if (!account.signMessage) throw cannot('messages')
    return account.signMessage({ message: { raw: view.raw } })
  }
  if (!account.signTypedData) throw cannot('typed data')
  const { domain, types, primaryType, message } = view
  return account.signTypedData({ domain, types, primaryType, message } as never)
}

/** Fills what the dApp left out (nonce, gas, fees), signs for the view's chain, and sends if asked. */
export async function sendView(view: TransactionView, ctx: SignContext): Promise<Hex> {
  const account = accountFor(ctx, view.account)
  if (!ctx.transport)
    throw new ProviderRpcError(
      RpcCode.ChainDisconnected,
      `This wallet has no RPC transport for chain ${view.chainId}.`,
    )
  if (!account.signTransaction) throw cannot('transactions')
  const client = createWalletClient({ account, transport: ctx.transport })
  const { to, value, data, gas, gasPrice, maxFeePerGas, maxPriorityFeePerGas, nonce } = view
  const fees = gasPrice !== undefined ? { gasPrice } : { maxFeePerGas, maxPriorityFeePerGas }
  const request = { ...(to ? { to } : {}), value, data, gas, nonce, ...fees }
  const given = Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined))
  const prepared = await client.prepareTransactionRequest({ ...given, account, chain: null } as never)
  // The view's fields win over anything filled in: what was shown is what is signed.
  const serializedTransaction = await account.signTransaction({
    ...(prepared as object),
    ...given,
    chainId: view.chainId,
  } as never)
  if (view.method === 'eth_signTransaction') return serializedTransaction
  await ctx.beforeBroadcast?.(serializedTransaction)
  return client.sendRawTransaction({ serializedTransaction })
}
