import { EventEmitter } from 'eventemitter3'
import type { Eip1193Provider, ProviderEventMap, RequestArguments } from '../dapp/eip1193.js'
import type { DappSession } from '../dapp/types.js'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'

/**
 * The connector's EIP-1193 provider: one object for the connector's life (wagmi compares providers
 * by identity), forwarding each request to the live session's provider, 4900 when there is none.
 */
export type ForwardingProvider = Eip1193Provider & {
  /** Re-emits a session provider's event to this provider's listeners. */
  emit<E extends keyof ProviderEventMap>(event: E, ...args: Parameters<ProviderEventMap[E]>): void
}

export function createForwardingProvider(session: () => DappSession | undefined): ForwardingProvider {
  const emitter = new EventEmitter()
  const provider: ForwardingProvider = {
    request<T>(args: RequestArguments): Promise<T> {
      const s = session()
      if (!s || s.ended)
        return Promise.reject(new ProviderRpcError(RpcCode.Disconnected, 'Not connected to a wallet.'))
      return s.provider.request<T>(args)
    },
    on(event, listener) {
      emitter.on(event, listener as never)
      return provider
    },
    removeListener(event, listener) {
      emitter.removeListener(event, listener as never)
      return provider
    },
    emit(event, ...args) {
      emitter.emit(event, ...args)
    },
  }
  return provider
}
