import { EventEmitter } from 'eventemitter3'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import { chainNumber } from '../session/bodies.js'
import type { DappSession } from './session.js'

/** The arguments of `provider.request`. */
export type RequestArguments = { readonly method: string; readonly params?: unknown }

/** What each EIP-1193 event hands its listeners. */
export type ProviderEventMap = {
  accountsChanged(accounts: `0x${string}`[]): void
  chainChanged(chainId: string): void
  connect(info: { chainId: string }): void
  disconnect(error: ProviderRpcError): void
  message(message: { type: string; data: unknown }): void
}
export type ProviderEvent = keyof ProviderEventMap

/**
 * The EIP-1193 provider a dApp hands to viem (`custom(provider)`), ethers (`BrowserProvider`) or
 * wagmi. `request` is generic so that the type is assignable to viem's `EIP1193Provider`: the caller
 * names the result type it expects, as with any EIP-1193 provider.
 */
export type Eip1193Provider = {
  request<T = unknown>(args: RequestArguments): Promise<T>
  on<E extends ProviderEvent>(event: E, listener: ProviderEventMap[E]): Eip1193Provider
  removeListener<E extends ProviderEvent>(event: E, listener: ProviderEventMap[E]): Eip1193Provider
}

/** Methods the wallet answers; each must be among the methods the wallet approved. */
export const WALLET_METHODS = [
  'personal_sign',
  'eth_signTypedData_v4',
  'eth_sendTransaction',
  'eth_signTransaction',
  'wallet_switchEthereumChain',
  'wallet_addEthereumChain',
] as const satisfies readonly string[]
Object.freeze(WALLET_METHODS)

/** Read-only methods: answered by the dApp's own RPC endpoint, never sent to the wallet. */
export const READ_ONLY_METHODS: readonly string[] = Object.freeze([
  'eth_blockNumber',
  'eth_call',
  'eth_estimateGas',
  'eth_feeHistory',
  'eth_gasPrice',
  'eth_getBalance',
  'eth_getBlockByHash',
  'eth_getBlockByNumber',
  'eth_getCode',
  'eth_getLogs',
  'eth_getStorageAt',
  'eth_getTransactionByHash',
  'eth_getTransactionCount',
  'eth_getTransactionReceipt',
  'eth_maxPriorityFeePerGas',
  'eth_blobBaseFee',
  'net_listening',
  'web3_clientVersion',
])
const READ_ONLY = new Set(READ_ONLY_METHODS)

const toHex = (n: number) => `0x${n.toString(16)}`

async function forward(url: string, method: string, params: unknown): Promise<unknown> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: params ?? [] }),
    })
  } catch (cause) {
    throw new ProviderRpcError(RpcCode.ChainDisconnected, 'The dApp’s RPC endpoint could not be reached.', {
      cause,
    })
  }
  const body = (await response.json().catch(() => null)) as {
    result?: unknown
    error?: { code: number; message: string; data?: unknown }
  } | null
  if (!body)
    throw new ProviderRpcError(RpcCode.Internal, `The RPC endpoint answered HTTP ${response.status}.`)
  if (body.error) throw new ProviderRpcError(body.error.code, body.error.message, { data: body.error.data })
  return body.result
}

/** Builds the EIP-1193 provider of a session. */
export function createProvider(session: DappSession, rpcUrls: Record<string, string>): Eip1193Provider {
  const emitter = new EventEmitter<ProviderEventMap>()
  session.on('accountsChanged', (a) => emitter.emit('accountsChanged', [...a]))
  session.on('chainChanged', (c) => emitter.emit('chainChanged', toHex(chainNumber(c))))
  session.on('disconnect', ({ code, message }) =>
    emitter.emit('disconnect', new ProviderRpcError(code, message)),
  )

  async function route({ method, params }: RequestArguments): Promise<unknown> {
    if (typeof method !== 'string')
      throw new ProviderRpcError(RpcCode.InvalidParams, 'method must be a string')
    if (session.ended) throw new ProviderRpcError(RpcCode.Disconnected, 'The session has ended.')
    switch (method) {
      case 'eth_accounts':
      case 'eth_requestAccounts':
        return [...session.accounts]
      case 'eth_chainId':
        return toHex(chainNumber(session.chainId))
      case 'net_version':
        return String(chainNumber(session.chainId))
    }
    if (READ_ONLY.has(method)) {
      const url = rpcUrls[session.chainId]
      if (!url) {
        throw new ProviderRpcError(
          RpcCode.UnsupportedMethod,
          `No RPC URL is configured for ${session.chainId}.`,
        )
      }
      return forward(url, method, params)
    }
    if (!(WALLET_METHODS as readonly string[]).includes(method)) {
      throw new ProviderRpcError(RpcCode.UnsupportedMethod, `Pairline does not support ${method}.`)
    }
    if (!session.methods.includes(method)) {
      throw new ProviderRpcError(
        RpcCode.Unauthorized,
        `The wallet did not approve ${method} for this session.`,
      )
    }
    if (method === 'wallet_switchEthereumChain') {
      const p = (Array.isArray(params) ? params[0] : undefined) as { chainId?: unknown } | undefined
      if (typeof p?.chainId !== 'string' || !/^0x[0-9a-fA-F]+$/.test(p.chainId)) {
        throw new ProviderRpcError(
          RpcCode.InvalidParams,
          'wallet_switchEthereumChain needs [{ chainId: "0x…" }].',
        )
      }
      const target = `eip155:${Number.parseInt(p.chainId, 16)}`
      if (!session.chains.includes(target)) {
        throw new ProviderRpcError(
          RpcCode.UnrecognizedChain,
          `The wallet did not approve ${target} for this session.`,
        )
      }
      if (target === session.chainId) return null
    }
    return session.request(method, params ?? [])
  }

  const provider: Eip1193Provider = {
    request: <T>(args: RequestArguments) => route(args) as Promise<T>,
    on(event, listener) {
      emitter.on(event, listener as never)
      return provider
    },
    removeListener(event, listener) {
      emitter.removeListener(event, listener as never)
      return provider
    },
  }
  return provider
}
