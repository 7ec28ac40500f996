import type { ProviderRpcError } from '../errors/provider.js'

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
