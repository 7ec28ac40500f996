import { createWalletClient, type Transport } from 'viem'
import type { StoredRequest } from './journal.js'

type Hex = `0x${string}`

/**
 * After a crash with a signed transaction recorded (§14.5): if the chain knows its hash it was
 * sent; if not, the same signed bytes are sent again. Either way there is one transaction (one
 * nonce), so nothing is done twice. Throws when it cannot tell (no transport, node unreachable).
 */
export async function settleTransaction(
  transport: Transport | undefined,
  tx: NonNullable<StoredRequest['tx']>,
): Promise<Hex> {
  if (!transport) throw new Error('no transport for the chain')
  // The wallet client signs and broadcasts already; a raw request keeps the bundle from growing.
  const client = createWalletClient({ transport })
  const request = client.request as (a: { method: string; params: unknown[] }) => Promise<unknown>
  const known = await request({ method: 'eth_getTransactionByHash', params: [tx.hash] })
  if (known !== null && known !== undefined) return tx.hash
  return client.sendRawTransaction({ serializedTransaction: tx.raw })
}
