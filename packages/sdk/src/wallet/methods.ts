/** What a wallet can serve, given how it was created (docs/PROTOCOL.md §14.6). */
export type Serving = {
  /** chains (CAIP-2) with a viem transport */
  readonly transportChains: readonly string[]
  /** eth_sign enabled by the wallet's app (off by default) */
  readonly ethSign: boolean
}

/** Signing with the account alone: always served. */
const ALWAYS = [
  'personal_sign',
  'eth_signTypedData_v4',
  'eth_signTypedData_v3',
  'wallet_switchEthereumChain',
  'wallet_addEthereumChain',
  'wallet_watchAsset',
]
/** These need a chain to fill in, send or look up transactions. */
const NEED_TRANSPORT = [
  'eth_sendTransaction',
  'eth_signTransaction',
  'wallet_getCapabilities',
  'wallet_sendCalls',
  'wallet_getCallsStatus',
  'wallet_showCallsStatus',
]

/**
 * The methods among `proposed` that the wallet offers for a session on `chains`: a method that
 * needs a transport only if some approved chain has one (a request on a chain without one is
 * refused unseen, 4901); eth_sign only when enabled.
 */
export function offeredMethods(proposed: readonly string[], chains: readonly string[], s: Serving): string[] {
  const transport = chains.some((c) => s.transportChains.includes(c))
  return proposed.filter(
    (m) => ALWAYS.includes(m) || (transport && NEED_TRANSPORT.includes(m)) || (m === 'eth_sign' && s.ethSign),
  )
}
