import { EventEmitter } from 'eventemitter3'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import { chainNumber } from '../messages/caip.js'
import type { Eip1193Provider, ProviderEventMap, RequestArguments } from './eip1193.js'
import { isReadOnly, WALLET_METHODS } from './methods.js'
import { answerPermissions, PERMISSION_METHODS } from './permissions.js'
import { forward } from './rpc.js'
import type { DappSession } from './types.js'

const toHex = (n: number) => `0x${n.toString(16)}`

/** What the provider needs of its session (the session's public face, without the provider). */
export type ProviderSource = Omit<DappSession, 'provider'>

/** Builds the EIP-1193 provider of a session; `invoker`: the dApp's URL (EIP-2255 permissions). */
export function createProvider(
  session: ProviderSource,
  rpcUrls: Readonly<Record<string, string>>,
  invoker: string,
): Eip1193Provider {
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
    const local = answerLocally(session, method)
    if (local !== undefined) return local
    if (PERMISSION_METHODS.includes(method)) return answerPermissions(session, invoker, method, params)
    if (isReadOnly(method)) {
      const url = rpcUrls[session.chainId]
      if (!url)
        throw new ProviderRpcError(
          RpcCode.UnsupportedMethod,
          `No RPC URL is configured for ${session.chainId}.`,
        )
      return forward(url, method, params)
    }
    checkWalletMethod(session, method)
    if (method === 'wallet_switchEthereumChain' && switchTarget(session, params) === session.chainId)
      return null
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

/** What the session already knows: accounts (each address once) and the current chain. */
function answerLocally(session: ProviderSource, method: string): unknown {
  switch (method) {
    case 'eth_accounts':
    case 'eth_requestAccounts':
      return [...session.accounts]
    case 'eth_chainId':
      return toHex(chainNumber(session.chainId))
    case 'net_version':
      return String(chainNumber(session.chainId))
    default:
      return undefined
  }
}

function checkWalletMethod(session: ProviderSource, method: string): void {
  if (!(WALLET_METHODS as readonly string[]).includes(method))
    throw new ProviderRpcError(RpcCode.UnsupportedMethod, `Pairline does not support ${method}.`)
  if (!session.methods.includes(method))
    throw new ProviderRpcError(
      RpcCode.UnsupportedMethod,
      `The wallet does not offer ${method} in this session.`,
    )
}

/** The CAIP-2 chain a wallet_switchEthereumChain asks for, if approved. */
function switchTarget(session: ProviderSource, params: unknown): string {
  const p = (Array.isArray(params) ? params[0] : undefined) as { chainId?: unknown } | undefined
  if (typeof p?.chainId !== 'string' || !/^0x[0-9a-fA-F]+$/.test(p.chainId))
    throw new ProviderRpcError(
      RpcCode.InvalidParams,
      'wallet_switchEthereumChain needs [{ chainId: "0x…" }].',
    )
  const target = `eip155:${Number.parseInt(p.chainId, 16)}`
  if (!session.chains.includes(target))
    throw new ProviderRpcError(
      RpcCode.UnrecognizedChain,
      `The wallet did not approve ${target} for this session.`,
    )
  return target
}
