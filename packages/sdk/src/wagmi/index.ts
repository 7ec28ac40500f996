/**
 * `@pairline/sdk/wagmi`: the wagmi connector (`@wagmi/core` / `wagmi` 3.x, an optional peer).
 * Only wagmi's types are imported: the connector itself adds nothing of wagmi or viem to a bundle.
 */
export {
  type DappLike,
  type OnPairing,
  type PairingUi,
  type PairlineConnectorOptions,
  type PairlineConnectorProperties,
  pairline,
} from './connector.js'
export type { ForwardingProvider } from './forwarding.js'
