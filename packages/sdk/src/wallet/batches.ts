import { createWalletClient, type Hex, type Transport, toHex } from 'viem'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'

/** A wallet_sendCalls batch as the wallet's record keeps it (§14.6): its transactions' hashes. */
export type Batch = {
  id: string
  /** CAIP-2 */
  chainId: string
  /** how many calls the batch has */
  count: number
  /** each written before its transaction is broadcast */
  hashes: Hex[]
  /** a call failed before it was sent: the later ones were not sent either */
  stopped?: boolean
}

/** The newest batches a session remembers for wallet_getCallsStatus. */
const MAX_BATCHES = 64

export class BatchStore {
  readonly #all: Batch[]

  constructor(stored: readonly Batch[] | undefined) {
    this.#all = (stored ?? []).map((b) => ({ ...b, hashes: [...b.hashes] }))
  }

  get(id: string): Batch {
    const b = this.#all.find((x) => x.id === id)
    if (!b)
      throw new ProviderRpcError(RpcCode.UnknownCallsId, 'The wallet sent no batch of calls with that id.')
    return b
  }

  has(id: string): boolean {
    return this.#all.some((x) => x.id === id)
  }

  add(b: Batch): Batch {
    this.#all.push(b)
    if (this.#all.length > MAX_BATCHES) this.#all.shift()
    return b
  }

  drop(id: string): void {
    const at = this.#all.findIndex((x) => x.id === id)
    if (at >= 0) this.#all.splice(at, 1)
  }

  record(): Batch[] {
    return this.#all.map((b) => ({ ...b, hashes: [...b.hashes] }))
  }
}

type RpcReceipt = {
  status: Hex
  blockHash: Hex
  blockNumber: Hex
  gasUsed: Hex
  transactionHash: Hex
  logs: { address: Hex; data: Hex; topics: Hex[] }[]
}

/**
 * EIP-5792 `wallet_getCallsStatus` for a batch: 100 while a transaction has no receipt; then
 * 200 (every call sent and successful), 500 (every call reverted), 600 (some reverted, or the
 * batch stopped after some were sent). Never atomic.
 */
export async function callsStatus(b: Batch, transport: Transport | undefined): Promise<object> {
  if (!transport)
    throw new ProviderRpcError(
      RpcCode.ChainDisconnected,
      `This wallet has no RPC transport for ${b.chainId}.`,
    )
  const client = createWalletClient({ transport })
  const request = client.request as (a: { method: string; params: unknown[] }) => Promise<unknown>
  const receipts = (await Promise.all(
    b.hashes.map((hash) => request({ method: 'eth_getTransactionReceipt', params: [hash] })),
  )) as (RpcReceipt | null)[]
  const base = { version: '2.0.0', id: b.id, chainId: toHex(Number(b.chainId.split(':')[1])), atomic: false }
  if (receipts.some((r) => !r)) return { ...base, status: 100 }
  const ok = receipts.filter((r) => r?.status === '0x1').length
  const complete = !b.stopped && b.hashes.length === b.count
  const status = ok === 0 ? 500 : complete && ok === receipts.length ? 200 : 600
  return {
    ...base,
    status,
    receipts: (receipts as RpcReceipt[]).map((r) => ({
      logs: r.logs.map(({ address, data, topics }) => ({ address, data, topics })),
      status: r.status,
      blockHash: r.blockHash,
      blockNumber: r.blockNumber,
      gasUsed: r.gasUsed,
      transactionHash: r.transactionHash,
    })),
  }
}
