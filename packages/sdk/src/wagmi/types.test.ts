/**
 * Type test: a strict wagmi app (this repository's strict tsconfig: exactOptionalPropertyTypes,
 * noUncheckedIndexedAccess) with the connector type-checks, and misuse does not. `pnpm typecheck`
 * is the real assertion; the runtime checks only keep vitest honest.
 */
import { type Connector, createConfig, type GetConnectorClientReturnType, http } from '@wagmi/core'
import { mainnet, sepolia } from '@wagmi/core/chains'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type { Pairing } from '../dapp/types.js'
import { connectModal } from '../modal/index.js'
import { type OnPairing, type PairlineConnectorOptions, pairline } from './index.js'

const metadata = { name: 'Typed dApp', url: 'https://dapp.example' }

const connector = pairline({
  relayUrl: 'wss://relay.example',
  metadata,
  onPairing: async (pairing) => {
    expectTypeOf(pairing).toEqualTypeOf<Pairing>()
    expectTypeOf(await pairing.sas).toBeString()
  },
})

const config = createConfig({
  chains: [mainnet, sepolia],
  connectors: [connector],
  transports: { [mainnet.id]: http(), [sepolia.id]: http() },
})

describe('the connector in a strict wagmi config', () => {
  it('is a wagmi connector with Pairline properties', () => {
    const c = config.connectors[0]!
    expectTypeOf(c).toExtend<Connector>()
    expect(c).toMatchObject({ id: 'pairline', name: 'Pairline', type: 'pairline' })
    expectTypeOf<(typeof config)['chains'][number]['id']>().toEqualTypeOf<1 | 11155111>()
    expectTypeOf<GetConnectorClientReturnType<typeof config>['chain']['id']>().toEqualTypeOf<1 | 11155111>()
    expectTypeOf<NonNullable<PairlineConnectorOptions['onPairing']>>().toEqualTypeOf<OnPairing>()
    // the modal's PairingUi is what the connector's `ui` takes
    expectTypeOf(connectModal()).toExtend<NonNullable<PairlineConnectorOptions['ui']>>()
    expectTypeOf(pairline({ relayUrl: 'wss://relay.example', metadata, ui: connectModal() })).toBeFunction()
  })

  it('refuses misuse at compile time', () => {
    // @ts-expect-error onPairing is required (without it there is nowhere to show the QR code)
    const missing = () => pairline({ relayUrl: 'wss://relay.example', metadata })
    const chains = ['eip155:1']
    // @ts-expect-error the wagmi config's chains are numbers
    const badChains = () => pairline({ relayUrl: 'x', metadata, onPairing() {}, requiredChains: chains })
    // @ts-expect-error one of onPairing and ui, not both
    const both = () => pairline({ relayUrl: 'x', metadata, onPairing() {}, ui: connectModal() })
    // @ts-expect-error exactOptionalPropertyTypes: undefined is not a relay URL
    const badRelay = () => pairline({ relayUrl: undefined, metadata, onPairing() {} })
    expect([missing, badChains, both, badRelay].map((f) => typeof f)).toEqual(Array(4).fill('function'))
  })
})
